"""What goals tell the apps above it: sent inside the transaction that made the change.

``goal_ids`` is a list of the goals concerned."""

from django.dispatch import Signal

goals_achieved = Signal()
