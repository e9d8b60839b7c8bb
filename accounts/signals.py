"""Signals the accounts app sends: it sits below the apps that know about programmes."""

from django.dispatch import Signal

# Sent with user=... when that person is about to sign in (or reset) with a password.
# A receiver answers with the names of the programmes that require this person to sign
# in through the company's identity provider (an empty list when none do); matching
# knows who is enrolled where, accounts only asks.
single_sign_on_required = Signal()
