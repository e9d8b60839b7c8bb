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
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

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
            "title": gettext("Report: %(cohort)s") % {"cohort": cohort.name},
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
            self.message_user(
                request, gettext("You can only act on the cohorts you run."), messages.ERROR
            )
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
                self.message_user(
                    request,
                    gettext("%(cohort)s: you may not do this.") % {"cohort": cohort.name},
                    messages.ERROR,
                )
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
        is_midpoint = kind == SurveyKind.MIDPOINT

        def preview(cohort: Cohort) -> str:
            if is_midpoint and cohort.closed_at:
                return gettext("closed, so no mid-point survey will be sent.")
            n = len(survey_recipients(cohort=cohort, kind=kind))
            if not n:
                return gettext("everyone already has it: nothing will be sent.")
            return ngettext(
                "%(count)s person will get the survey by email.",
                "%(count)s people will get the survey by email.",
                n,
            ) % {"count": n}

        def perform(cohort: Cohort) -> str:
            n = send_survey(cohort=cohort, kind=kind, by=signed_in_user(request))
            if not n and is_midpoint:
                return gettext("everyone already had the mid-point survey; nothing sent.")
            if not n:
                return gettext("everyone already had the end-of-cohort survey; nothing sent.")
            return ngettext(
                "%(survey)s sent to %(count)s person.", "%(survey)s sent to %(count)s people.", n
            ) % {"survey": kind.label, "count": n}

        return self._confirm_then(
            request,
            queryset,
            action=action,
            title=gettext("Send the mid-point survey?")
            if is_midpoint
            else gettext("Send the end-of-cohort survey?"),
            preview=preview,
            perform=perform,
        )

    @admin.action(description=_("Send mid-point survey"), permissions=["change"])
    def send_midpoint_survey(
        self, request: HttpRequest, queryset: QuerySet[Cohort]
    ) -> TemplateResponse | None:
        return self._survey_action(request, queryset, SurveyKind.MIDPOINT, "send_midpoint_survey")

    @admin.action(description=_("Send end survey"), permissions=["change"])
    def send_end_survey(
        self, request: HttpRequest, queryset: QuerySet[Cohort]
    ) -> TemplateResponse | None:
        return self._survey_action(request, queryset, SurveyKind.END, "send_end_survey")

    @admin.action(description=_("Remind mentors with unanswered requests"), permissions=["change"])
    def remind_mentors(
        self, request: HttpRequest, queryset: QuerySet[Cohort]
    ) -> TemplateResponse | None:
        today = timezone.localdate()

        def preview(cohort: Cohort) -> str:
            mentors = closing.waiting_by_mentor(cohort=cohort, now=timezone.now())
            if not mentors:
                return gettext("no requests are waiting: nobody will be emailed.")
            keys = [closing.reminder_key(cohort, mentor, today) for mentor in mentors]
            already = _already_sent(keys)
            waiting = sum(len(requests) for requests in mentors.values())
            reminded = len(mentors) - already
            words = {
                "mentors": reminded,
                "already": already,
                "requests": ngettext(
                    "%(count)s waiting request", "%(count)s waiting requests", waiting
                )
                % {"count": waiting},
            }
            if already:
                return (
                    ngettext(
                        "%(mentors)s mentor will be reminded of %(requests)s "
                        "(%(already)s already reminded today are skipped).",
                        "%(mentors)s mentors will be reminded of %(requests)s "
                        "(%(already)s already reminded today are skipped).",
                        reminded,
                    )
                    % words
                )
            return (
                ngettext(
                    "%(mentors)s mentor will be reminded of %(requests)s.",
                    "%(mentors)s mentors will be reminded of %(requests)s.",
                    reminded,
                )
                % words
            )

        def perform(cohort: Cohort) -> str:
            n = closing.remind_mentors(cohort=cohort, by=signed_in_user(request), today=today)
            if not n:
                return gettext("nobody left to remind today.")
            return ngettext("reminded %(count)s mentor.", "reminded %(count)s mentors.", n) % {
                "count": n
            }

        return self._confirm_then(
            request,
            queryset,
            action="remind_mentors",
            title=gettext("Remind mentors with unanswered requests?"),
            preview=preview,
            perform=perform,
        )

    @admin.action(description=_("Close cohort"), permissions=["change"])
    def close_cohorts(
        self, request: HttpRequest, queryset: QuerySet[Cohort]
    ) -> TemplateResponse | None:
        def preview(cohort: Cohort) -> str:
            if cohort.closed_at:
                day = short_date(cohort.closed_at.date(), with_year=True)
                return gettext("already closed on %(date)s") % {"date": day}
            active = Mentorship.objects.filter(
                cohort=cohort, status=MentorshipStatus.ACTIVE
            ).count()
            waiting = MentorshipRequest.objects.pending().filter(cohort=cohort).count()
            people = len(survey_recipients(cohort=cohort, kind=SurveyKind.END))
            # Four plain clauses, each translated whole, in the order things happen.
            clauses = [
                gettext("enrollment closes"),
                ngettext(
                    "%(count)s active mentorship will be completed",
                    "%(count)s active mentorships will be completed",
                    active,
                )
                % {"count": active},
                ngettext(
                    "%(count)s waiting request will expire",
                    "%(count)s waiting requests will expire",
                    waiting,
                )
                % {"count": waiting},
                ngettext(
                    "%(count)s person will get the end survey",
                    "%(count)s people will get the end survey",
                    people,
                )
                % {"count": people},
            ]
            return "; ".join(clauses) + "."

        def perform(cohort: Cohort) -> str:
            if cohort.closed_at:
                return gettext("was already closed; nothing changed.")
            closing.close_cohort(cohort=cohort, by=signed_in_user(request))
            return gettext(
                "closed. Active mentorships are completed and the end survey is on its way."
            )

        return self._confirm_then(
            request,
            queryset,
            action="close_cohorts",
            title=gettext("Close these cohorts?"),
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
    funnel = [(pgettext("requests or surveys sent", "Sent"), report.funnel.sent)]
    funnel += report.funnel.rows()
    times = report.response_times
    meetings = report.meetings

    def listed(pairs: list[tuple[str, int]]) -> str:
        return "; ".join(f"{label}: {n}" for label, n in pairs) + "."

    result: dict[str, Any] = {
        "enrollment": charts.line_chart(
            days,
            [
                charts.Series(gettext("Mentors"), [p.mentors for p in points]),
                charts.Series(gettext("Mentees"), [p.mentees for p in points]),
            ],
            title=gettext("Enrollment over time in %(cohort)s") % {"cohort": name},
            desc=gettext("By %(day)s: %(mentors)s mentors and %(mentees)s mentees.")
            % {"day": days[-1], "mentors": latest.mentors, "mentees": latest.mentees},
            chart_id=f"{prefix}-enrollment",
        ),
        "match_rate": charts.line_chart(
            days,
            [charts.Series(gettext("Mentees matched"), [p.match_rate for p in points])],
            title=gettext("Match rate over time in %(cohort)s") % {"cohort": name},
            desc=gettext("By %(day)s: %(matched)s of %(mentees)s mentees matched.")
            % {"day": days[-1], "matched": latest.matched, "mentees": latest.mentees},
            chart_id=f"{prefix}-match-rate",
            y_max=100,
            unit="%",
        ),
        "funnel": charts.bar_chart(
            funnel,
            title=gettext("Mentorship requests in %(cohort)s") % {"cohort": name},
            desc=listed(funnel),
            chart_id=f"{prefix}-funnel",
        ),
        "response_times": charts.bar_chart(
            times.histogram,
            title=gettext("How fast mentors answered requests in %(cohort)s") % {"cohort": name},
            desc=gettext("%(count)s answered requests; %(buckets)s")
            % {"count": times.answered, "buckets": listed(times.histogram)},
            chart_id=f"{prefix}-response-times",
        ),
        "goals": charts.bar_chart(
            report.goals,
            title=gettext("Goals by status in %(cohort)s") % {"cohort": name},
            desc=listed(report.goals),
            chart_id=f"{prefix}-goals",
        ),
        "meetings": charts.bar_chart(
            [
                (gettext("%(count)s meetings") % {"count": label}, n)
                for label, n in meetings.distribution
            ],
            title=gettext("Meetings per mentorship in %(cohort)s") % {"cohort": name},
            desc=gettext("%(meetings)s meetings in %(mentorships)s mentorships.")
            % {"meetings": meetings.meetings, "mentorships": meetings.mentorships},
            chart_id=f"{prefix}-meetings",
        ),
        "surveys": [],
    }
    for survey in report.surveys:
        nps = [
            (gettext("Promoters (9–10)"), survey.promoters),
            (gettext("Passives (7–8)"), survey.passives),
            (gettext("Detractors (0–6)"), survey.detractors),
        ]
        words = {"survey": survey.label, "cohort": name}
        svgs = {
            "satisfaction": charts.bar_chart(
                [
                    (gettext("%(score)s of 5") % {"score": score}, n)
                    for score, n in survey.satisfaction
                ],
                title=gettext("%(survey)s: satisfaction in %(cohort)s") % words,
                desc=gettext("%(count)s answers; %(scores)s")
                % {
                    "count": survey.answered,
                    "scores": listed([(str(score), n) for score, n in survey.satisfaction]),
                },
                chart_id=f"{prefix}-{survey.kind}-satisfaction",
            ),
            "nps": charts.bar_chart(
                nps,
                title=gettext("%(survey)s: would recommend, in %(cohort)s") % words,
                desc=listed(nps),
                chart_id=f"{prefix}-{survey.kind}-nps",
            ),
            "goal_progress": charts.bar_chart(
                survey.goal_progress,
                title=gettext("%(survey)s: progress on goals in %(cohort)s") % words,
                desc=listed(survey.goal_progress),
                chart_id=f"{prefix}-{survey.kind}-goal-progress",
            ),
        }
        result["surveys"].append((survey, svgs))
    return result
