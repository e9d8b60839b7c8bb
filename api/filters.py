import django_filters

from goals.models import Goal, GoalStatus
from matching.models import Enrollment, EnrollmentStatus, Mentorship, MentorshipStatus, Role
from programmes.models import Invitation

# Ids are filtered as numbers in a database's range: a larger one would overflow the
# query (a 500) instead of matching nothing.
MAX_ID = 2**63 - 1


def id_filter(field: str) -> django_filters.NumberFilter:
    return django_filters.NumberFilter(field_name=field, min_value=1, max_value=MAX_ID)


class EnrollmentFilter(django_filters.FilterSet):
    cohort = id_filter("cohort_id")
    role = django_filters.ChoiceFilter(choices=Role.choices)
    status = django_filters.ChoiceFilter(choices=EnrollmentStatus.choices)
    email = django_filters.CharFilter(field_name="user__email", lookup_expr="iexact")

    class Meta:
        model = Enrollment
        fields = ["cohort", "role", "status", "email"]


class MentorshipFilter(django_filters.FilterSet):
    cohort = id_filter("cohort_id")
    status = django_filters.ChoiceFilter(choices=MentorshipStatus.choices)

    class Meta:
        model = Mentorship
        fields = ["cohort", "status"]


class GoalFilter(django_filters.FilterSet):
    cohort = id_filter("mentorship__cohort_id")
    mentorship = id_filter("mentorship_id")
    status = django_filters.ChoiceFilter(choices=GoalStatus.choices)

    class Meta:
        model = Goal
        fields = ["cohort", "mentorship", "status"]


class InvitationFilter(django_filters.FilterSet):
    cohort = id_filter("cohort_id")
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact")

    class Meta:
        model = Invitation
        fields = ["cohort", "email"]
