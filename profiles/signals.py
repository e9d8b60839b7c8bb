"""Signals the profiles app sends for writes that Django's model signals do not see."""

from django.dispatch import Signal

# Sent after profiles, skills or languages were written in bulk (bulk_create or
# QuerySet.update), which send no post_save: apps that keep derived data (the mentor
# directory) listen.
profiles_changed = Signal()
