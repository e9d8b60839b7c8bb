"""The REST API, version 1: programme admins' tokens read their cohorts and enroll and
invite people. Each view's queryset comes from api.selectors, scoped to the token's
owner, so another cohort's object answers 404 like one that does not exist."""

from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from api import filters, selectors, services
from api import serializers as s
from goals.models import Goal, GoalStatus
from matching.models import Cohort, Enrollment, Mentorship
from programmes import reports
from programmes.models import Invitation
from programmes.services import invitations


def _user(request: Request) -> User:
    # The permission class lets only tokens' owners in. While the schema is generated
    # there is nobody, and an anonymous user reads nothing (selectors.may_use_api).
    return cast(User, request.user or AnonymousUser())


def _cohort(request: Request, pk: int) -> Cohort:
    cohort = selectors.cohorts(_user(request)).filter(pk=pk).first()
    if cohort is None:
        raise ValidationError({"cohort": [_("No programme of yours has this id.")]})
    return cohort


def _run(action: Any, **kwargs: Any) -> Any:
    """Call a service, answering its broken rules as 400 and a wrong actor as 403."""
    try:
        return action(**kwargs)
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise ValidationError(detail) from None
    except DjangoPermissionDenied:
        raise PermissionDenied from None


class CohortList(generics.ListAPIView[Cohort]):
    serializer_class = s.CohortSerializer

    def get_queryset(self) -> QuerySet[Cohort]:
        return selectors.cohorts(_user(self.request))


class CohortDetail(generics.RetrieveAPIView[Cohort]):
    serializer_class = s.CohortSerializer

    def get_queryset(self) -> QuerySet[Cohort]:
        return selectors.cohorts(_user(self.request))


class CohortReport(generics.GenericAPIView[Cohort]):
    """The numbers of the cohort's report in the admin, as of today: enrollment and
    matching, requests, goals by status, meetings and the surveys' aggregates."""

    serializer_class = s.ReportSerializer

    def get_queryset(self) -> QuerySet[Cohort]:
        return selectors.cohorts(_user(self.request))

    def get(self, request: Request, pk: int) -> Response:
        cohort = self.get_object()
        report = reports.cohort_report(cohort=cohort, as_of=timezone.localdate())
        latest = report.latest
        data = {
            "cohort": cohort.pk,
            "as_of": report.as_of,
            "mentors": latest.mentors,
            "mentees": latest.mentees,
            "matched_mentees": latest.matched,
            "match_rate": latest.match_rate,
            "mentorships_started": report.mentorships_started,
            "mentorships_by_status": report.mentorships_by_status,
            "requests_sent": report.funnel.sent,
            "requests_by_status": report.funnel.by_status,
            "response_hours_median": report.response_times.median,
            "response_hours_p90": report.response_times.p90,
            # goals_by_status lists every status in GoalStatus's order.
            "goals_by_status": dict(
                zip(GoalStatus.values, (n for _label, n in report.goals), strict=True)
            ),
            "meetings": report.meetings.meetings,
            "meetings_per_mentorship": report.meetings.mean,
            "surveys": [
                {
                    "kind": survey.kind,
                    "sent": survey.sent,
                    "answered": survey.answered,
                    "response_rate": survey.response_rate,
                    "mean_satisfaction": survey.mean_satisfaction,
                    "nps": survey.nps,
                    "promoters": survey.promoters,
                    "passives": survey.passives,
                    "detractors": survey.detractors,
                }
                for survey in report.surveys
            ],
        }
        return Response(s.ReportSerializer(data).data)


class EnrollmentList(generics.ListAPIView[Enrollment]):
    serializer_class = s.EnrollmentSerializer
    filterset_class = filters.EnrollmentFilter

    def get_queryset(self) -> QuerySet[Enrollment]:
        return selectors.enrollments(_user(self.request))

    @extend_schema(request=s.EnrollInput, responses={201: s.EnrollmentSerializer})
    def post(self, request: Request) -> Response:
        """Enroll someone who already has an account in one of your programmes."""
        given = s.EnrollInput(data=request.data)
        given.is_valid(raise_exception=True)
        enrollment = _run(
            services.enroll_person,
            cohort=_cohort(request, given.validated_data["cohort"]),
            email=given.validated_data["email"],
            role=given.validated_data["role"],
            by=_user(request),
        )
        enrollment = self.get_queryset().get(pk=enrollment.pk)
        return Response(s.EnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)


class EnrollmentDetail(generics.RetrieveAPIView[Enrollment]):
    serializer_class = s.EnrollmentSerializer

    def get_queryset(self) -> QuerySet[Enrollment]:
        return selectors.enrollments(_user(self.request))


class MentorshipList(generics.ListAPIView[Mentorship]):
    serializer_class = s.MentorshipSerializer
    filterset_class = filters.MentorshipFilter

    def get_queryset(self) -> QuerySet[Mentorship]:
        return selectors.mentorships(_user(self.request))


class MentorshipDetail(generics.RetrieveAPIView[Mentorship]):
    serializer_class = s.MentorshipSerializer

    def get_queryset(self) -> QuerySet[Mentorship]:
        return selectors.mentorships(_user(self.request))


class GoalList(generics.ListAPIView[Goal]):
    serializer_class = s.GoalSerializer
    filterset_class = filters.GoalFilter

    def get_queryset(self) -> QuerySet[Goal]:
        return selectors.goals(_user(self.request))


class GoalDetail(generics.RetrieveAPIView[Goal]):
    serializer_class = s.GoalSerializer

    def get_queryset(self) -> QuerySet[Goal]:
        return selectors.goals(_user(self.request))


class InvitationList(generics.ListAPIView[Invitation]):
    serializer_class = s.InvitationSerializer
    filterset_class = filters.InvitationFilter

    def get_queryset(self) -> QuerySet[Invitation]:
        return selectors.invitations(_user(self.request))

    @extend_schema(request=s.InviteInput, responses={201: s.InvitationSerializer})
    def post(self, request: Request) -> Response:
        """Invite someone by email to one of your programmes; the invitation email goes
        out through the outbox, as from the admin."""
        given = s.InviteInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        invitation = _run(
            invitations.invite,
            cohort=_cohort(request, data["cohort"]),
            email=data["email"],
            name=data["name"],
            role=data["role"],
            capacity=data.get("capacity"),
            by=_user(request),
        )
        return Response(s.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetail(generics.RetrieveAPIView[Invitation]):
    serializer_class = s.InvitationSerializer

    def get_queryset(self) -> QuerySet[Invitation]:
        return selectors.invitations(_user(self.request))
