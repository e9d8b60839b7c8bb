"""What the API shows of each object: numbers, states and dates, never private text
(no goal wording, notes, comments, messages or survey comments)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from rest_framework import serializers

from goals.models import Goal
from matching.models import Cohort, Enrollment, Mentorship, Role
from programmes.models import Invitation


class CohortSerializer(serializers.ModelSerializer[Cohort]):
    class Meta:
        model = Cohort
        fields = [
            "id",
            "name",
            "slug",
            "starts_on",
            "ends_on",
            "is_enrollment_open",
            "join_mode",
            "matching_mode",
        ]


class EnrollmentSerializer(serializers.ModelSerializer[Enrollment]):
    email = serializers.EmailField(source="user.email", read_only=True)
    user_id = serializers.IntegerField(read_only=True)
    cohort = serializers.IntegerField(source="cohort_id", read_only=True)

    class Meta:
        model = Enrollment
        fields = ["id", "cohort", "user_id", "email", "role", "status", "joined_at"]


class EnrollInput(serializers.Serializer[Any]):
    """Enroll someone who already has an account, by their email address."""

    cohort = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)


class MentorshipSerializer(serializers.ModelSerializer[Mentorship]):
    cohort = serializers.IntegerField(source="cohort_id", read_only=True)
    mentor_user_id = serializers.IntegerField(source="mentor_enrollment.user_id", read_only=True)
    mentee_user_id = serializers.IntegerField(source="mentee_enrollment.user_id", read_only=True)
    meeting_count = serializers.IntegerField(
        read_only=True, help_text=_("Meetings planned or held, not cancelled.")
    )
    meetings_held = serializers.IntegerField(
        read_only=True, help_text=_("Meetings not cancelled whose time has passed.")
    )
    goal_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Mentorship
        fields = [
            "id",
            "cohort",
            "mentor_user_id",
            "mentee_user_id",
            "status",
            "started_at",
            "ended_at",
            "meeting_count",
            "meetings_held",
            "goal_count",
        ]


class GoalSerializer(serializers.ModelSerializer[Goal]):
    cohort = serializers.IntegerField(source="mentorship.cohort_id", read_only=True)
    mentorship = serializers.IntegerField(source="mentorship_id", read_only=True)
    progress_percent = serializers.SerializerMethodField()

    class Meta:
        model = Goal
        fields = [
            "id",
            "cohort",
            "mentorship",
            "status",
            "measure",
            "progress_percent",
            "starts_on",
            "target_date",
            "created_at",
            "updated_at",
        ]

    def get_progress_percent(self, goal: Goal) -> int:
        return goal.progress_percent()


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    cohort = serializers.IntegerField(source="cohort_id", read_only=True)
    is_accepted = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "cohort",
            "email",
            "name",
            "role",
            "capacity",
            "created_at",
            "sent_count",
            "last_sent_at",
            "is_accepted",
            "accepted_at",
        ]


class InviteInput(serializers.Serializer[Any]):
    cohort = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=120, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices)
    capacity = serializers.IntegerField(min_value=1, max_value=10, required=False, allow_null=True)


class SurveySerializer(serializers.Serializer[Any]):
    """A survey's numbers; its free-text comments stay in the admin's report."""

    kind = serializers.CharField()
    sent = serializers.IntegerField()
    answered = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    mean_satisfaction = serializers.FloatField(allow_null=True)
    nps = serializers.FloatField(allow_null=True)
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()


class ReportSerializer(serializers.Serializer[Any]):
    cohort = serializers.IntegerField()
    as_of = serializers.DateField()
    mentors = serializers.IntegerField()
    mentees = serializers.IntegerField()
    matched_mentees = serializers.IntegerField()
    match_rate = serializers.FloatField(allow_null=True)
    mentorships_started = serializers.IntegerField()
    mentorships_by_status = serializers.DictField(child=serializers.IntegerField())
    requests_sent = serializers.IntegerField()
    requests_by_status = serializers.DictField(child=serializers.IntegerField())
    response_hours_median = serializers.FloatField(allow_null=True)
    response_hours_p90 = serializers.FloatField(allow_null=True)
    goals_by_status = serializers.DictField(child=serializers.IntegerField())
    meetings = serializers.IntegerField()
    meetings_per_mentorship = serializers.FloatField(allow_null=True)
    surveys = SurveySerializer(many=True)
