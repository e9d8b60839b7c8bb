"""Signals the profiles app sends for writes that Django's model signals do not see."""

from django.dispatch import Signal

# Sent after profiles, skills or languages were written in bulk (bulk_create or
# QuerySet.update), which send no post_save: apps that keep derived data (the mentor
# directory) listen.
profiles_changed = Signal()

# Sent with profile=... inside the writing transaction. profiles sits below matching and
# must not import it, so it tells, and matching decides what follows.
# What this person wants to do (mentor, be mentored) was set or changed.
intent_changed = Signal()
# Something matching scores changed (skills, goals, capacity) on an onboarded profile.
matching_profile_changed = Signal()
