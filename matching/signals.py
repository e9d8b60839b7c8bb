"""What matching tells the apps above it (webhooks, for one).

Each is sent inside the transaction that made the change, so what a listener writes (a
webhook delivery row) commits or rolls back with it. ``mentorship_ids`` is a list: a
published match run starts thousands at once."""

from django.dispatch import Signal

mentorships_started = Signal()
mentorships_ended = Signal()
