"""Cohort admin: the report page, surveys, reminders and closing a cohort.

Mixed into the cohort's ModelAdmin. Every page and action checks that the user runs
the cohort (``can_administer``): another cohort's report answers 404, like a cohort
that does not exist. Each action asks for confirmation first, the way Django's delete
does; the confirmation page posts back with ``post=yes``.
"""

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone

from accounts.http import signed_in_user
from core.outbox.models import OutboxEmail
from goals.charts import short_date
from matching.admin_scoping import can_administer, scope_queryset
from matching.models import Cohort, Mentorship, MentorshipRequest, MentorshipStatus
from programmes import charts
from programmes.models import SurveyKind
from programmes.reports import CohortReport, cohort_report, write_csv
from programmes.services import closing
from programmes.services.surveys import send_survey, survey_recipients


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


if TYPE_CHECKING:
    # Mixed into the cohort's ModelAdmin: its methods are checked against one.
    _CohortAdminBase = admin.ModelAdmin[Cohort]
else:
    _CohortAdminBase = object


class ReportAdminMixin(_CohortAdminBase):
    report_actions: list[str] = [
        "send_midpoint_survey",
        "send_end_survey",
        "remind_mentors",
        "close_cohorts",
    ]

    def report_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:cohort_id>/report/",
                wrap(self.report_view),
                name="programmes_cohort_report",
            ),
            path(
                "<int:cohort_id>/report.csv",
                wrap(self.report_csv_view),
                name="programmes_cohort_report_csv",
            ),
        ]

    # --- Report ------------------------------------------------------------

    def _administered_cohort(self, request: HttpRequest, cohort_id: int) -> Cohort:
        """The cohort, if this user runs it and may view it; 404 otherwise."""
        cohort = get_object_or_404(Cohort, pk=cohort_id)
        if not (
            can_administer(signed_in_user(request), cohort)
            and self.has_view_permission(request, cohort)
        ):
            raise Http404
        return cohort

    @staticmethod
    def _as_of(request: HttpRequest) -> date:
        """The day asked for; today for a bad date or one still to come (nothing has
        happened by then, and the last calendar day has no 'day after' to count to)."""
        today = timezone.localdate()
        try:
            return min(date.fromisoformat(request.GET.get("as_of", "")), today)
        except ValueError:
            return today

    def report_view(self, request: HttpRequest, cohort_id: int) -> HttpResponse:
        cohort = self._administered_cohort(request, cohort_id)
        report = cohort_report(cohort=cohort, as_of=self._as_of(request))
        context = {
            **self.admin_site.each_context(request),
            "opts": Cohort._meta,
            "title": f"Report: {cohort.name}",
            "cohort": cohort,
            "report": report,
            "charts": report_charts(report),
        }
        return TemplateResponse(request, "admin/programmes/cohort_report.html", context)

    def report_csv_view(self, request: HttpRequest, cohort_id: int) -> HttpResponse:
        cohort = self._administered_cohort(request, cohort_id)
        report = cohort_report(cohort=cohort, as_of=self._as_of(request))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"{cohort.slug}-report-{report.as_of.isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        write_csv(report, response)
        return response

    # --- Actions -----------------------------------------------------------

    def _confirm_then(
        self,
        request: HttpRequest,
        queryset: QuerySet[Cohort],
        *,
        action: str,
        title: str,
        preview: Callable[[Cohort], str],
        perform: Callable[[Cohort], str],
    ) -> TemplateResponse | None:
        """Show what would happen to each cohort; on ``post=yes``, do it."""
        cohorts = list(scope_queryset(queryset, signed_in_user(request), ""))
        if len(cohorts) < queryset.count():
            self.message_user(request, "You can only act on the cohorts you run.", messages.ERROR)
            return None
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": Cohort._meta,
                "title": title,
                "action": action,
                "items": [(cohort, preview(cohort)) for cohort in cohorts],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/programmes/cohort_action_confirm.html", context)
        for cohort in cohorts:
            try:
                done = perform(cohort)
            except PermissionDenied:
                self.message_user(request, f"{cohort.name}: you may not do this.", messages.ERROR)
            except ValidationError as exc:
                self.message_user(
                    request, f"{cohort.name}: {' '.join(exc.messages)}", messages.ERROR
                )
            else:
                self.message_user(request, f"{cohort.name}: {done}")
        return None

    def _survey_action(
        self, request: HttpRequest, queryset: QuerySet[Cohort], kind: SurveyKind, action: str
    ) -> TemplateResponse | None:
        def preview(cohort: Cohort) -> str:
            if kind == SurveyKind.MIDPOINT and cohort.closed_at:
                return "closed, so no mid-point survey will be sent."
            n = len(survey_recipients(cohort=cohort, kind=kind))
            if not n:
                return "everyone already has it: nothing will be sent."
            return f"{_plural(n, 'person', 'people')} will get the survey by email."

        def perform(cohort: Cohort) -> str:
            n = send_survey(cohort=cohort, kind=kind, by=signed_in_user(request))
            if not n:
                return f"everyone already had the {kind.label.lower()}; nothing sent."
            return f"{kind.label} sent to {_plural(n, 'person', 'people')}."

        return self._confirm_then(
            request,
            queryset,
            action=action,
            title=f"Send the {kind.label.lower()}?",
            preview=preview,
            perform=perform,
        )

    @admin.action(description="Send mid-point survey", permissions=["change"])
    def send_midpoint_survey(
        self, request: HttpRequest, queryset: QuerySet[Cohort]
    ) -> TemplateResponse | None:
        return self._survey_action(request, queryset, SurveyKind.MIDPOINT, "send_midpoint_survey")

    @admin.action(description="Send end survey", permissions=["change"])
    def send_end_survey(
        self, request: HttpRequest, queryset: QuerySet[Cohort]
    ) -> TemplateResponse | None:
        return self._survey_action(request, queryset, SurveyKind.END, "send_end_survey")

    @admin.action(description="Remind mentors with unanswered requests", permissions=["change"])
    def remind_mentors(
        self, request: HttpRequest, queryset: QuerySet[Cohort]
    ) -> TemplateResponse | None:
        today = timezone.localdate()

        def preview(cohort: Cohort) -> str:
            mentors = closing.waiting_by_mentor(cohort=cohort, now=timezone.now())
            if not mentors:
                return "no requests are waiting: nobody will be emailed."
            keys = [closing.reminder_key(cohort, mentor, today) for mentor in mentors]
            already = _already_sent(keys)
            waiting = sum(len(requests) for requests in mentors.values())
            line = (
                f"{_plural(len(mentors) - already, 'mentor')} will be reminded of "
                f"{_plural(waiting, 'waiting request')}"
            )
            if already:
                line += f" ({already} already reminded today are skipped)"
            return line + "."

        def perform(cohort: Cohort) -> str:
            n = closing.remind_mentors(cohort=cohort, by=signed_in_user(request), today=today)
            return f"reminded {_plural(n, 'mentor')}." if n else "nobody left to remind today."

        return self._confirm_then(
            request,
            queryset,
            action="remind_mentors",
            title="Remind mentors with unanswered requests?",
            preview=preview,
            perform=perform,
        )

    @admin.action(description="Close cohort", permissions=["change"])
    def close_cohorts(
        self, request: HttpRequest, queryset: QuerySet[Cohort]
    ) -> TemplateResponse | None:
        def preview(cohort: Cohort) -> str:
            if cohort.closed_at:
                return f"already closed on {short_date(cohort.closed_at.date(), with_year=True)}"
            active = Mentorship.objects.filter(
                cohort=cohort, status=MentorshipStatus.ACTIVE
            ).count()
            waiting = MentorshipRequest.objects.pending().filter(cohort=cohort).count()
            people = len(survey_recipients(cohort=cohort, kind=SurveyKind.END))
            return (
                f"enrollment closes; {_plural(active, 'active mentorship')} will be completed; "
                f"{_plural(waiting, 'waiting request')} will expire; "
                f"{_plural(people, 'person', 'people')} will get the end survey."
            )

        def perform(cohort: Cohort) -> str:
            if cohort.closed_at:
                return "was already closed; nothing changed."
            closing.close_cohort(cohort=cohort, by=signed_in_user(request))
            return "closed. Active mentorships are completed and the end survey is on its way."

        return self._confirm_then(
            request,
            queryset,
            action="close_cohorts",
            title="Close these cohorts?",
            preview=preview,
            perform=perform,
        )


def _already_sent(keys: list[str]) -> int:
    return OutboxEmail.objects.filter(key__in=keys).count()


# --- Charts ----------------------------------------------------------------


def report_charts(report: CohortReport) -> dict[str, Any]:
    """Every chart of the report page, as escaped SVG, keyed by section."""
    prefix = f"cohort-{report.cohort.pk}"
    name = report.cohort.name
    points = report.points
    with_year = points[0].day.year != points[-1].day.year
    days = [short_date(p.day, with_year=with_year) for p in points]
    latest = report.latest
    funnel = [("Sent", report.funnel.sent), *report.funnel.rows()]
    times = report.response_times
    meetings = report.meetings
    result: dict[str, Any] = {
        "enrollment": charts.line_chart(
            days,
            [
                charts.Series("Mentors", [p.mentors for p in points]),
                charts.Series("Mentees", [p.mentees for p in points]),
            ],
            title=f"Enrollment over time in {name}",
            desc=f"By {days[-1]}: {latest.mentors} mentors and {latest.mentees} mentees.",
            chart_id=f"{prefix}-enrollment",
        ),
        "match_rate": charts.line_chart(
            days,
            [charts.Series("Mentees matched", [p.match_rate for p in points])],
            title=f"Match rate over time in {name}",
            desc=f"By {days[-1]}: {latest.matched} of {latest.mentees} mentees matched.",
            chart_id=f"{prefix}-match-rate",
            y_max=100,
            unit="%",
        ),
        "funnel": charts.bar_chart(
            funnel,
            title=f"Mentorship requests in {name}",
            desc="; ".join(f"{label}: {n}" for label, n in funnel) + ".",
            chart_id=f"{prefix}-funnel",
        ),
        "response_times": charts.bar_chart(
            times.histogram,
            title=f"How fast mentors answered requests in {name}",
            desc=f"{times.answered} answered requests; "
            + "; ".join(f"{label}: {n}" for label, n in times.histogram)
            + ".",
            chart_id=f"{prefix}-response-times",
        ),
        "goals": charts.bar_chart(
            report.goals,
            title=f"Goals by status in {name}",
            desc="; ".join(f"{label}: {n}" for label, n in report.goals) + ".",
            chart_id=f"{prefix}-goals",
        ),
        "meetings": charts.bar_chart(
            [(f"{label} meetings", n) for label, n in meetings.distribution],
            title=f"Meetings per mentorship in {name}",
            desc=f"{meetings.meetings} meetings in {meetings.mentorships} mentorships.",
            chart_id=f"{prefix}-meetings",
        ),
        "surveys": [],
    }
    for survey in report.surveys:
        nps = [
            ("Promoters (9–10)", survey.promoters),
            ("Passives (7–8)", survey.passives),
            ("Detractors (0–6)", survey.detractors),
        ]
        svgs = {
            "satisfaction": charts.bar_chart(
                [(f"{score} of 5", n) for score, n in survey.satisfaction],
                title=f"{survey.label}: satisfaction in {name}",
                desc=f"{survey.answered} answers; "
                + "; ".join(f"{score}: {n}" for score, n in survey.satisfaction)
                + ".",
                chart_id=f"{prefix}-{survey.kind}-satisfaction",
            ),
            "nps": charts.bar_chart(
                nps,
                title=f"{survey.label}: would recommend, in {name}",
                desc="; ".join(f"{label}: {n}" for label, n in nps) + ".",
                chart_id=f"{prefix}-{survey.kind}-nps",
            ),
            "goal_progress": charts.bar_chart(
                survey.goal_progress,
                title=f"{survey.label}: progress on goals in {name}",
                desc="; ".join(f"{label}: {n}" for label, n in survey.goal_progress) + ".",
                chart_id=f"{prefix}-{survey.kind}-goal-progress",
            ),
        }
        result["surveys"].append((survey, svgs))
    return result
