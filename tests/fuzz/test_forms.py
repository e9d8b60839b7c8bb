"""Every form and action, fed hostile input: random and Unicode text, NUL bytes, 100k
characters, numbers that overflow, impossible dates, lists where one value belongs,
missing and unknown fields, and other people's ids.

The answer is never a crash: the form comes back with its errors (200), the action
succeeds (302), or the visitor is refused (403/404). When a submission is refused,
nothing in the database has changed; for the wrong person, nothing ever changes.

A crash fails the example with its traceback: the test client raises what the view
raised (``raise_request_exception=True``) instead of answering 500. The examples are
derandomized, so CI sees the same ones on every run; FUZZ_SCALE=10 runs ten times more.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.admin import helpers
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from goals.models import CheckAnswer, MeasureKind, ObstacleCategory
from goals.models import MeetingFormat as GoalMeetingFormat
from matching.models import DeclineReason, MentorshipStatus, Role
from matching.selectors import SORTS
from profiles.models import CareerStage, Industry, Language, MeetingFormat, Skill, SkillLevel
from programmes.models import GoalProgress
from tests.factories import PASSWORD, UserFactory
from tests.fuzz.conftest import Visitor, World
from tests.fuzz.strategies import csv_files, form_data, fuzz_settings, text
from tests.goals.conftest import OUTCOME, PLAN, RELEVANCE

pytestmark = pytest.mark.django_db

Fields = dict[str, SearchStrategy[Any]]

# The right person usually gets 200 or 302. Django itself answers 400 to a body over
# DATA_UPLOAD_MAX_MEMORY_SIZE (100k emoji, percent-encoded, in several fields).
ANSWERS = {200, 302, 400}
WRONG_EXAMPLES = 5


@dataclass(frozen=True)
class Endpoint:
    """One URL, who uses it, and what its form asks for."""

    name: str
    actor: str = "mentee"
    args: Callable[[World], list[Any]] = lambda w: []
    fields: Callable[[World], Fields] = lambda w: {}
    # People who must be refused: they may get any page, but nothing may change.
    wrong: tuple[str, ...] = ()
    method: str = "post"
    examples: int = 25
    # A second use of the same URL (another form on it, another kind of visitor).
    variant: str = ""
    # Posted as multipart with a CSV file in this field.
    upload: str = ""
    # Statuses the right person may also get (e.g. allauth's 429 when rate limited).
    also: frozenset[int] = field(default_factory=frozenset)

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name


def days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def one_of(*values: Any) -> SearchStrategy[str]:
    return st.sampled_from([str(v) for v in values])


def pks(rows: Any) -> list[int]:
    return list(rows.values_list("pk", flat=True))


CHECKED = one_of("on", "1", "true")


# --- What each form asks for, when it is filled in as intended --------------------------


def goal_fields(w: World) -> Fields:
    return {
        "title": st.one_of(st.just("Improve NPS from 20 to 40"), text(1, 120)),
        "outcome": st.one_of(st.just(OUTCOME), text(20, 2000)),
        "measure": one_of(*MeasureKind.values),
        "metric_name": st.one_of(st.just("NPS"), text(1, 80)),
        "metric_unit": st.one_of(st.just("points"), text(1, 30)),
        "baseline": one_of("20", "0", "-3.5", "99999999999"),
        "target": one_of("40", "1", "1000000.25"),
        "milestones": st.one_of(st.just("Outline\nRehearse\nGive the talk"), text(1, 500)),
        "milestones-0-title": st.one_of(st.just("Design the data model"), text(1, 200)),
        "milestones-0-due": one_of(days(10), ""),
        "milestones-1-title": st.one_of(st.just("Deploy"), text(1, 200)),
        "milestones-1-due": one_of(days(50), days(400), ""),
        "plan": st.one_of(st.just(PLAN), text(20, 3000)),
        "relevance": st.one_of(st.just(RELEVANCE), text(10, 2000)),
        "target_date": one_of(days(60), days(1), days(365 * 50)),
    }


def meeting_fields(w: World) -> Fields:
    return {
        "date": one_of(days(3), days(1), days(365)),
        "time": one_of("10:00", "00:00", "23:59", "02:30"),
        "duration_minutes": one_of(15, 45, 120),
        "format": one_of(*GoalMeetingFormat.values),
        "location": st.one_of(st.just("https://meet.example.org/x"), text(0, 300)),
        "agenda": text(0, 3000),
    }


def log_meeting_fields(w: World) -> Fields:
    """A meeting that happened: dates in the past, today, ahead and over a year back."""
    return {
        **meeting_fields(w),
        "date": one_of(days(-1), days(0), days(2), days(-400)),
        "notes": text(0, 5000),
    }


def essentials_fields(w: World) -> Fields:
    return {
        "display_name": st.one_of(st.just("Ana Lima"), text(2, 80)),
        "headline": text(1, 120),
        "job_title": text(1, 80),
        "organisation": text(0, 80),
        "industry": one_of(*Industry.values),
        "years_experience": one_of(0, 5, 60),
        "career_stage": one_of(*CareerStage.values),
        "languages": st.lists(
            st.sampled_from([str(pk) for pk in pks(Language.objects)]), max_size=3
        ),
        "time_zone": one_of("Europe/Berlin", "Pacific/Kiritimati", "America/St_Johns", "UTC"),
        "hours_per_month": one_of(1, 4, 40),
        "career_goals": st.one_of(
            st.just("Become a tech lead within two years and lead a small team well."),
            text(20, 1000),
        ),
        "target_role": text(0, 80),
        "wants_broader_perspective": CHECKED,
        "bio": text(0, 2000),
        "linkedin_url": one_of("https://www.linkedin.com/in/ana", "linkedin.com/in/ana", ""),
        "meeting_formats": st.lists(st.sampled_from(MeetingFormat.values), min_size=1, max_size=4),
    }


def intent_fields(w: World) -> Fields:
    return {
        "wants_mentoring": CHECKED,
        "wants_to_mentor": CHECKED,
        "mentor_capacity": one_of(0, 2, 10),
        "is_accepting_requests": CHECKED,
    }


def skill_fields(*prefixes: str) -> Callable[[World], Fields]:
    def fields(w: World) -> Fields:
        found: Fields = {}
        for prefix in prefixes:
            found |= {
                f"{prefix}-TOTAL_FORMS": one_of(1, 2, 15),
                f"{prefix}-INITIAL_FORMS": one_of(0, 1),
                f"{prefix}-MIN_NUM_FORMS": one_of(0),
                f"{prefix}-MAX_NUM_FORMS": one_of(15, 1000),
                f"{prefix}-0-name": st.one_of(st.just("Python"), text(1, 60)),
                f"{prefix}-0-level": one_of(*SkillLevel.values),
                f"{prefix}-1-name": st.one_of(st.just("python "), text(1, 60)),
                f"{prefix}-1-level": one_of(*SkillLevel.values),
            }
        return found

    return fields


def directory_fields(w: World) -> Fields:
    return {
        "q": text(0, 100),
        "skills": st.lists(st.sampled_from([str(pk) for pk in pks(Skill.objects)]), max_size=3),
        "industry": one_of(*Industry.values),
        "language": one_of(*pks(Language.objects)),
        "overlap": one_of(2, 4, 6),
        "meeting_format": one_of(*MeetingFormat.values),
        "free_only": CHECKED,
        "cohort": one_of(w.community.pk),
        "sort": one_of(*SORTS),
        "page": one_of(1, 2, "last"),
    }


def body(max_size: int = 3000) -> Callable[[World], Fields]:
    return lambda w: {"body": st.one_of(st.just("Thanks, see you Tuesday!"), text(1, max_size))}


def token_args(attr: str) -> Callable[[World], list[Any]]:
    return lambda w: [getattr(w, attr).token]


def _reset_key(w: World) -> list[Any]:
    return [user_pk_to_url_str(w.newcomer), default_token_generator.make_token(w.newcomer)]


def _confirm_key(w: World) -> list[Any]:
    address = EmailAddress.objects.create(
        user=UserFactory(verified=False), email="unconfirmed@example.org", verified=False
    )
    return [EmailConfirmationHMAC(address).key]


def _cohort_actions(w: World) -> Fields:
    w.survey  # noqa: B018 - an answer to report on
    return {
        "action": one_of(
            "send_midpoint_survey",
            "send_end_survey",
            "remind_mentors",
            "close_cohorts",
            "export_participants_csv",
            "export_mentorships_csv",
            "export_goals_csv",
            "run_optimal",
            "run_stable",
            "recompute_suggestions",
            "delete_selected",
        ),
        helpers.ACTION_CHECKBOX_NAME: st.lists(
            one_of(w.community.pk, w.invite_cohort.pk), max_size=2
        ),
        "post": one_of("yes"),
        "index": one_of(0),
        "select_across": one_of(0, 1),
    }


def _weights_fields(w: World) -> Fields:
    from matching.models import MatchWeights

    numbers = {name: one_of(0, 1, 2.5) for name in MatchWeights.COMPONENT_FIELDS.values()}
    return {
        "cohort": one_of(w.community.pk, w.invite_cohort.pk),
        **numbers,
        "experience_min_gap": one_of(0, 2),
        "experience_max_gap": one_of(10, 30),
        "block_same_organisation": CHECKED,
        "preference_bonus": one_of(0, 0.2, 3),
        "_save": one_of("Save"),
    }


# --- The table: every URL that takes a POST, and the GET filters --------------------------

PARTICIPANT_WRONG = ("stranger",)
ADMIN_WRONG = ("mentee", "outside_admin")

ENDPOINTS: list[Endpoint] = [
    # Site pages: they read nothing posted, which the fuzz confirms.
    Endpoint("home", actor="anonymous", examples=3),
    Endpoint("dashboard", examples=3),
    Endpoint("healthz", actor="anonymous", examples=3),
    # The language switch, for visitors and signed-in people.
    Endpoint(
        "accounts:language",
        actor="anonymous",
        fields=lambda w: {"language": one_of("de", "en", "xx", ""), "next": text(0, 80)},
    ),
    Endpoint(
        "accounts:language",
        variant="signed-in",
        fields=lambda w: {"language": one_of("de", "en", "xx", ""), "next": text(0, 80)},
    ),
    # Profiles and onboarding
    Endpoint("profiles:onboarding-start", actor="newcomer", examples=3),
    Endpoint("profiles:onboarding-role", actor="newcomer", fields=intent_fields),
    Endpoint(
        "profiles:onboarding-about", actor="intent_only", fields=essentials_fields, examples=20
    ),
    Endpoint(
        "profiles:onboarding-skills",
        actor="essentials_done",
        fields=skill_fields("expertise", "learn"),
    ),
    Endpoint("profiles:detail", examples=3),
    Endpoint("profiles:edit", fields=essentials_fields, examples=20),
    Endpoint("profiles:role", fields=intent_fields),
    Endpoint("profiles:skills", fields=skill_fields("learn")),
    Endpoint(
        "profiles:email-settings",
        fields=lambda w: {"email_reminders": CHECKED, "email_digest": CHECKED},
    ),
    # Matching
    Endpoint("matching:directory", method="get", fields=directory_fields),
    Endpoint("matching:directory", variant="post", examples=3),
    Endpoint(
        "matching:mentor-detail",
        args=lambda w: [w.enrollment(w.mentor2, Role.MENTOR).pk],
        examples=3,
    ),
    Endpoint(
        "matching:request-create",
        args=lambda w: [w.enrollment(w.mentor2, Role.MENTOR).pk],
        fields=lambda w: {
            "message": st.one_of(st.just(w.pending_request.message), text(60, 3000)),
            "first_goal": text(0, 300),
        },
    ),
    Endpoint("matching:requests", examples=3),
    Endpoint(
        "matching:request-detail",
        actor="mentee2",
        args=lambda w: [w.pending_request.pk],
        fields=body(),
        wrong=PARTICIPANT_WRONG,
    ),
    Endpoint(
        "matching:request-accept",
        actor="mentor",
        args=lambda w: [w.pending_request.pk],
        wrong=("mentee2", "stranger"),
        examples=5,
    ),
    Endpoint(
        "matching:request-decline",
        actor="mentor",
        args=lambda w: [w.pending_request.pk],
        fields=lambda w: {"reason": one_of(*DeclineReason.values), "note": text(0, 1000)},
        wrong=("mentee2", "stranger"),
    ),
    Endpoint(
        "matching:request-withdraw",
        actor="mentee2",
        args=lambda w: [w.pending_request.pk],
        wrong=("mentor", "stranger"),
        examples=5,
    ),
    Endpoint(
        "matching:mentorship-detail",
        args=lambda w: [w.mentorship.pk],
        fields=body(),
        wrong=PARTICIPANT_WRONG,
    ),
    Endpoint(
        "matching:mentorship-end",
        actor="mentor",
        args=lambda w: [w.mentorship.pk],
        fields=lambda w: {
            "outcome": one_of(MentorshipStatus.COMPLETED, MentorshipStatus.ENDED_EARLY),
            "reason": text(0, 1000),
        },
        wrong=PARTICIPANT_WRONG,
    ),
    Endpoint(
        "matching:mentorship-feedback",
        actor="mentor2",
        args=lambda w: [w.ended_mentorship.pk],
        fields=lambda w: {"rating": one_of(1, 3, 5), "comment": text(0, 2000)},
        wrong=PARTICIPANT_WRONG,
    ),
    Endpoint(
        "matching:mentorship-introduce",
        actor="mentor",
        args=lambda w: [w.mentorship.pk],
        fields=lambda w: {
            "contact_email": one_of(w.contact.email, w.contact.email.upper(), w.mentee.email),
            "message": text(1, 2000),
        },
        wrong=("mentee", "stranger"),
    ),
    Endpoint(
        "matching:introduction-detail",
        actor="contact",
        args=lambda w: [w.introduction.pk],
        examples=3,
    ),
    Endpoint(
        "matching:introduction-answer",
        actor="contact",
        args=lambda w: [w.introduction.pk],
        fields=lambda w: {"answer": one_of("accept", "decline")},
        wrong=("mentee", "stranger"),
        examples=10,
    ),
    Endpoint(
        "matching:suggestion-dismiss",
        args=lambda w: [w.suggestion.pk],
        wrong=PARTICIPANT_WRONG,
        examples=5,
    ),
    *(
        Endpoint(
            name,
            actor="chooser",
            args=lambda w: [w.chooser.enrollments.get(role=Role.MENTEE).pk],
            fields=lambda w: {
                "chosen": one_of(*(e.pk for e in w.choice_mentors), w.mentor2.pk),
                "rank": one_of(1, 2, 5),
            },
            wrong=("mentee", "stranger"),
            examples=10,
        )
        for name in ("matching:choice-add", "matching:choice-move", "matching:choice-remove")
    ),
    Endpoint(
        "matching:choices",
        actor="chooser",
        args=lambda w: [w.chooser.enrollments.get(role=Role.MENTEE).pk],
        wrong=("mentee", "stranger"),
        examples=3,
    ),
    Endpoint(
        "matching:cohorts",
        fields=lambda w: {
            "cohort": one_of(w.joinable.pk, w.community.pk),
            "role": one_of(*Role.values),
            "invite_code": one_of("lead", "LEAD", ""),
        },
    ),
    Endpoint("matching:set-accepting", actor="mentor", fields=lambda w: {"accepting": CHECKED}),
    # Goals
    Endpoint(
        "goals:create",
        args=lambda w: [w.mentorship.pk],
        fields=goal_fields,
        wrong=PARTICIPANT_WRONG,
        examples=30,
    ),
    Endpoint(
        "goals:check",
        args=lambda w: [w.mentorship.pk],
        fields=goal_fields,
        wrong=PARTICIPANT_WRONG,
        examples=30,
    ),
    Endpoint("goals:review-board", actor="mentor", examples=3),
    Endpoint(
        "goals:fit-check",
        args=lambda w: [w.fit_check.pk],
        fields=lambda w: {
            "answer": one_of(*CheckAnswer.values),
            "comment": st.one_of(st.just(""), text(1, 1000)),
        },
        wrong=("mentor", "stranger"),
        examples=20,
    ),
    Endpoint("goals:detail", args=lambda w: [w.goal.pk], examples=3),
    Endpoint(
        "goals:edit",
        args=lambda w: [w.draft_goal.pk],
        fields=goal_fields,
        wrong=("mentor", "stranger"),
        examples=30,
    ),
    Endpoint(
        "goals:submit", args=lambda w: [w.draft_goal.pk], wrong=("mentor", "stranger"), examples=5
    ),
    Endpoint(
        "goals:review",
        actor="mentor",
        args=lambda w: [w.submitted_goal.pk],
        fields=lambda w: {"decision": one_of("approve", "changes"), "comment": text(0, 2000)},
        wrong=("mentee", "stranger"),
    ),
    Endpoint(
        "goals:progress",
        args=lambda w: [w.goal.pk],
        fields=lambda w: {"value": one_of("25", "-1", "40.5", "1e3"), "note": text(0, 2000)},
        wrong=("mentor", "stranger"),
    ),
    Endpoint(
        "goals:progress",
        variant="milestones",
        args=lambda w: [w.milestone_goal.pk],
        fields=lambda w: {
            "milestones": st.lists(one_of(*pks(w.milestone_goal.milestones)), max_size=3),
            "note": text(0, 2000),
        },
    ),
    Endpoint(
        "goals:close",
        args=lambda w: [w.goal.pk],
        fields=lambda w: {
            "outcome": one_of("achieved", "not_achieved", "abandoned"),
            "comment": text(0, 2000),
        },
        wrong=PARTICIPANT_WRONG,
    ),
    Endpoint(
        "goals:comment",
        actor="mentor",
        args=lambda w: [w.goal.pk],
        fields=lambda w: {
            "body": text(1, 3000),
            "next": one_of(reverse("goals:review-board"), "https://evil.example/", ""),
        },
        wrong=PARTICIPANT_WRONG,
    ),
    Endpoint(
        "goals:obstacle-flag",
        args=lambda w: [w.goal.pk],
        fields=lambda w: {
            "category": one_of(*ObstacleCategory.values),
            "description": text(1, 2000),
        },
        wrong=("mentor", "stranger"),
    ),
    Endpoint(
        "goals:obstacle-advise",
        actor="mentor",
        args=lambda w: [w.obstacle.pk],
        fields=lambda w: {"advice": text(1, 3000)},
        wrong=("mentee", "stranger"),
    ),
    Endpoint(
        "goals:obstacle-resolve",
        args=lambda w: [w.obstacle.pk],
        fields=lambda w: {"resolution": text(0, 2000)},
        wrong=PARTICIPANT_WRONG,
    ),
    # Meetings
    Endpoint("goals:meeting-list", args=lambda w: [w.mentorship.pk], examples=3),
    Endpoint(
        "goals:meeting-create",
        args=lambda w: [w.mentorship.pk],
        fields=meeting_fields,
        wrong=PARTICIPANT_WRONG,
        examples=30,
    ),
    Endpoint(
        "goals:meeting-create",
        variant="mentor",
        actor="mentor",
        args=lambda w: [w.mentorship.pk],
        fields=meeting_fields,
        examples=30,
    ),
    Endpoint(
        "goals:meeting-log",
        args=lambda w: [w.mentorship.pk],
        fields=log_meeting_fields,
        wrong=PARTICIPANT_WRONG,
        examples=30,
    ),
    Endpoint("goals:meeting-detail", args=lambda w: [w.upcoming_meeting.pk], examples=3),
    Endpoint(
        "goals:meeting-edit",
        actor="mentor",
        args=lambda w: [w.upcoming_meeting.pk],
        fields=meeting_fields,
        wrong=PARTICIPANT_WRONG,
        examples=30,
    ),
    Endpoint(
        "goals:meeting-cancel",
        args=lambda w: [w.upcoming_meeting.pk],
        fields=lambda w: {"reason": text(0, 1000)},
        wrong=PARTICIPANT_WRONG,
    ),
    Endpoint(
        "goals:meeting-note",
        args=lambda w: [w.past_meeting.pk],
        fields=lambda w: {"body": text(1, 5000), "is_private": CHECKED},
        wrong=PARTICIPANT_WRONG,
    ),
    Endpoint(
        "goals:meeting-action",
        args=lambda w: [w.past_meeting.pk],
        fields=lambda w: {
            "title": text(1, 200),
            "owner": one_of(w.mentee.pk, w.mentor.pk),
            "due_on": one_of(days(7), ""),
            "goal": one_of(w.goal.pk, ""),
        },
        wrong=PARTICIPANT_WRONG,
    ),
    Endpoint("goals:meeting-ics", args=lambda w: [w.upcoming_meeting.pk], examples=3),
    Endpoint(
        "goals:action-toggle",
        actor="mentor",
        args=lambda w: [w.action_item.pk],
        fields=lambda w: {"done": one_of("1", "0")},
        wrong=PARTICIPANT_WRONG,
        examples=10,
    ),
    # Programmes: the token in the link is the key
    Endpoint(
        "programmes:invitation",
        actor="anonymous",
        args=token_args("invitation"),
        fields=lambda w: {
            "name": text(1, 80),
            "password1": one_of("purple-otter-climbs-42"),
            "password2": one_of("purple-otter-climbs-42"),
        },
    ),
    Endpoint(
        "programmes:invitation",
        variant="member",
        actor="invitee",
        args=token_args("member_invitation"),
        wrong=("stranger",),
        examples=5,
    ),
    Endpoint(
        "programmes:survey",
        actor="anonymous",
        args=token_args("survey"),
        fields=lambda w: {
            "satisfaction": one_of(1, 5),
            "recommend": one_of(0, 10),
            "goal_progress": one_of(*GoalProgress.values),
            "comments": text(0, 3000),
        },
    ),
    # Privacy
    Endpoint("privacy-data", examples=3),
    # A download link: only GET, so a post is refused (405) and records nothing.
    Endpoint("privacy-download", examples=3, also=frozenset({405})),
    Endpoint(
        "privacy-delete",
        fields=lambda w: {"password": one_of(PASSWORD), "confirm": one_of("DELETE", "delete ")},
    ),
    # allauth, as configured here: its forms, our adapter and templates
    Endpoint(
        "account_login",
        actor="anonymous",
        fields=lambda w: {
            "login": one_of(w.mentee.email, w.mentee.email.upper()),
            "password": one_of(PASSWORD),
            "remember": CHECKED,
        },
        also=frozenset({429}),
    ),
    Endpoint(
        "account_signup",
        actor="anonymous",
        fields=lambda w: {
            "email": one_of("new.person@example.org", w.mentee.email),
            "password1": one_of("purple-otter-climbs-42"),
            "password2": one_of("purple-otter-climbs-42"),
        },
        also=frozenset({429}),
    ),
    Endpoint("account_logout", examples=3),
    Endpoint(
        "account_reset_password",
        actor="anonymous",
        fields=lambda w: {"email": one_of(w.mentee.email, "nobody@example.org")},
        also=frozenset({429}),
    ),
    Endpoint(
        "account_reset_password_from_key",
        actor="anonymous",
        args=_reset_key,
        fields=lambda w: {
            "password1": one_of("purple-otter-climbs-42"),
            "password2": one_of("purple-otter-climbs-42"),
        },
        also=frozenset({429}),
        examples=10,
    ),
    Endpoint(
        "account_confirm_email",
        actor="anonymous",
        args=_confirm_key,
        also=frozenset({429}),
        examples=5,
    ),
    Endpoint(
        "account_change_password",
        fields=lambda w: {
            "oldpassword": one_of(PASSWORD),
            "password1": one_of("purple-otter-climbs-42"),
            "password2": one_of("purple-otter-climbs-42"),
        },
        also=frozenset({429}),
    ),
    Endpoint(
        "account_set_password",
        fields=lambda w: {
            "password1": one_of("purple-otter-climbs-42"),
            "password2": one_of("purple-otter-climbs-42"),
        },
        examples=5,
    ),
    Endpoint(
        "account_email",
        fields=lambda w: {
            "email": one_of("second@example.org", w.mentee.email, w.mentor.email),
            "action_add": one_of(""),
            "action_remove": one_of(""),
            "action_primary": one_of(""),
            "action_send": one_of(""),
        },
        also=frozenset({429}),
    ),
    Endpoint(
        "account_reauthenticate",
        fields=lambda w: {"password": one_of(PASSWORD)},
        also=frozenset({429}),
        examples=10,
    ),
    # A function that hands over to a page that takes no POST: it answers 405.
    Endpoint(
        "account_email_verification_sent", actor="anonymous", examples=3, also=frozenset({405})
    ),
    Endpoint("account_confirm_login_code", actor="anonymous", examples=3),
    Endpoint(
        "mfa_authenticate",
        actor="anonymous",
        fields=lambda w: {"code": one_of("123456")},
        examples=5,
    ),
    Endpoint(
        "mfa_reauthenticate",
        actor="totp_user",
        fields=lambda w: {"code": one_of("123456")},
        examples=5,
    ),
    Endpoint(
        "mfa_activate_totp",
        fields=lambda w: {"code": one_of("123456", "000000")},
        also=frozenset({429}),
        examples=10,
    ),
    Endpoint(
        "mfa_deactivate_totp",
        actor="totp_user",
        fields=lambda w: {"code": one_of("123456")},
        examples=3,
    ),
    Endpoint("mfa_generate_recovery_codes", actor="totp_user", examples=3),
    # Single sign-on, with no provider configured here: every button is a 404, and the
    # pages allauth keeps for it answer hostile posts (tests/sso signs in for real).
    Endpoint(
        "sso-oidc-login",
        actor="anonymous",
        args=lambda w: ["acme"],
        examples=3,
        also=frozenset({404}),
    ),
    Endpoint(
        "sso-saml-login",
        actor="anonymous",
        args=lambda w: ["acme"],
        examples=3,
        also=frozenset({404}),
    ),
    Endpoint(
        "openid_connect_login",
        actor="anonymous",
        args=lambda w: ["acme"],
        examples=3,
        also=frozenset({404}),
    ),
    Endpoint(
        "openid_connect_callback",
        actor="anonymous",
        args=lambda w: ["acme"],
        fields=lambda w: {"code": text(0, 50), "state": text(0, 50)},
        examples=5,
        also=frozenset({404}),
    ),
    Endpoint("socialaccount_connections", fields=lambda w: {"account": text(0, 10)}, examples=5),
    Endpoint(
        "socialaccount_signup",
        actor="anonymous",
        fields=lambda w: {"email": text(0, 60)},
        examples=5,
    ),
    # The REST API and SCIM take tokens, not sessions: a hostile post without one is
    # refused and changes nothing (tests/api fuzzes them with tokens, through schemathesis).
    Endpoint(
        "api:enrollment-list",
        actor="anonymous",
        fields=lambda w: {"cohort": text(0, 10), "email": text(0, 60), "role": text(0, 10)},
        examples=5,
        also=frozenset({401, 403, 415}),
    ),
    Endpoint(
        "api:invitation-list",
        actor="anonymous",
        fields=lambda w: {"cohort": text(0, 10), "email": text(0, 60), "role": text(0, 10)},
        examples=5,
        also=frozenset({401, 403, 415}),
    ),
    Endpoint(
        "api:scim-users",
        actor="anonymous",
        fields=lambda w: {"userName": text(0, 60), "active": text(0, 5)},
        examples=5,
        also=frozenset({401, 403, 415}),
    ),
    # The admin pages the project adds, and the stock ones that run project code
    Endpoint(
        "admin:programmes_cohort_import",
        actor="admin",
        args=lambda w: [w.community.pk],
        upload="file",
        wrong=ADMIN_WRONG,
        examples=40,
    ),
    Endpoint(
        "admin:programmes_cohort_import_preview",
        actor="admin",
        args=lambda w: [w.community.pk, w.import_batch.pk],
        examples=3,
    ),
    Endpoint(
        "admin:programmes_cohort_import_apply",
        actor="admin",
        args=lambda w: [w.community.pk, w.import_batch.pk],
        fields=lambda w: {"skip_invalid": one_of("1", "0")},
        wrong=ADMIN_WRONG,
        examples=10,
    ),
    Endpoint(
        "admin:programmes_cohort_export",
        actor="admin",
        method="get",
        args=lambda w: [w.community.pk, "participants"],
        examples=3,
    ),
    Endpoint(
        "admin:programmes_cohort_report",
        actor="admin",
        method="get",
        args=lambda w: [w.community.pk],
        fields=lambda w: {"as_of": one_of(days(0), days(-30))},
        examples=15,
    ),
    Endpoint(
        "admin:programmes_cohort_report_csv",
        actor="admin",
        method="get",
        args=lambda w: [w.community.pk],
        fields=lambda w: {"as_of": one_of(days(0), days(-30))},
        examples=15,
    ),
    Endpoint(
        "admin:matching_matchrun_change", actor="admin", args=lambda w: [w.match_run.pk], examples=3
    ),
    Endpoint(
        "admin:matching_matchrun_publish",
        actor="admin",
        args=lambda w: [w.match_run.pk],
        wrong=ADMIN_WRONG,
        examples=5,
    ),
    Endpoint(
        "admin:matching_matchrun_remove_pair",
        actor="admin",
        args=lambda w: [w.match_run.pk, w.pair.pk],
        wrong=ADMIN_WRONG,
        examples=5,
    ),
    Endpoint(
        "admin:matching_matchrun_change_mentor",
        actor="admin",
        args=lambda w: [w.match_run.pk, w.pair.pk],
        fields=lambda w: {
            "mentor_enrollment": one_of(
                w.enrollment(w.mentor, Role.MENTOR).pk, w.enrollment(w.mentor2, Role.MENTOR).pk
            )
        },
        wrong=ADMIN_WRONG,
    ),
    Endpoint(
        "admin:matching_matchrun_add_pair",
        actor="admin",
        args=lambda w: [w.match_run.pk, w.waiting.pk],
        fields=lambda w: {"mentor": one_of(w.mentor.email, w.mentor2.email, "Mentor")},
        wrong=ADMIN_WRONG,
        examples=10,
    ),
    Endpoint(
        "admin:matching_cohort_changelist",
        actor="admin",
        fields=_cohort_actions,
        wrong=("outside_admin",),
        examples=20,
    ),
    Endpoint(
        "admin:programmes_invitation_changelist",
        actor="admin",
        fields=lambda w: {
            "action": one_of("resend", "delete_selected"),
            helpers.ACTION_CHECKBOX_NAME: st.lists(one_of(w.invitation.pk), max_size=1),
            "post": one_of("yes"),
            "index": one_of(0),
        },
        wrong=("outside_admin",),
        examples=10,
    ),
    Endpoint(
        "admin:programmes_invitation_add",
        actor="admin",
        fields=lambda w: {
            "cohort": one_of(w.invite_cohort.pk, w.community.pk),
            "email": one_of("friend@example.org", w.mentee.email, " Friend@Example.org "),
            "name": text(0, 80),
            "role": one_of(*Role.values),
            "capacity": one_of("", 1, 3),
            "_save": one_of("Save"),
        },
        wrong=("outside_admin",),
        examples=15,
    ),
    Endpoint(
        "admin:matching_matchweights_add",
        actor="admin",
        fields=_weights_fields,
        wrong=("outside_admin",),
        examples=15,
    ),
]

CASES = [pytest.param(e, e.actor, id=e.id) for e in ENDPOINTS] + [
    pytest.param(e, who, id=f"{e.id}-as-{who}") for e in ENDPOINTS for who in e.wrong
]


@pytest.mark.parametrize(("endpoint", "who"), CASES)
def test_hostile_input_is_answered_and_refusals_change_nothing(
    endpoint: Endpoint, who: str, world: World, browser: Client
) -> None:
    # Everything the endpoint acts on exists before the first example, outside the
    # savepoints that each example is rolled back to.
    path = reverse(endpoint.name, args=endpoint.args(world))
    fields = endpoint.fields(world)
    pool = world.foreign_ids
    visitor = Visitor(browser, world.user(who))
    is_right = who == endpoint.actor
    # The wrong person is refused before any field is read: a few examples show it.
    examples = endpoint.examples if is_right else min(endpoint.examples, WRONG_EXAMPLES)
    files = csv_files() if endpoint.upload else st.none()

    @fuzz_settings(examples)
    @given(data=form_data(fields, pool), upload=files)
    def check(data: dict[str, Any], upload: bytes | None) -> None:
        outcome = visitor.send(
            method=endpoint.method,
            path=path,
            data=data,
            files={endpoint.upload: upload} if upload is not None else None,
        )
        if is_right:
            assert outcome.status in ANSWERS | endpoint.also, outcome.status
        if outcome.is_refused or not is_right:
            assert outcome.changed == [], f"refused with {outcome.status}, yet changed"
        assert outcome.stored_nul == [], "saved a NUL character, which PostgreSQL refuses"
        if outcome.followed_status is not None:
            assert outcome.followed_status < 500

    check()


# --- Nothing that takes a POST is left out -------------------------------------------------

# Stock admin pages run Django's ModelAdmin code over our models' own validation. The ones
# that run project code on a POST (actions, save_model) are in the table by name.
STOCK_ADMIN_SUFFIXES = ("_changelist", "_add", "_change", "_delete", "_history", "_autocomplete")
STOCK_ADMIN_NAMES = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:jsi18n",
    "admin:view_on_site",
    "admin:app_list",
}


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str | None, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None), entry.callback


def _methods(view: Any) -> set[str] | None:
    """The methods a view answers, when it says (require_POST, a class's handlers)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    while getattr(view, "__code__", None) is not None:
        closure = dict(zip(view.__code__.co_freevars, view.__closure__ or (), strict=True))
        if "request_method_list" in closure:
            return set(closure["request_method_list"].cell_contents)
        view = getattr(view, "__wrapped__", None)
    return None  # a plain function answers every method


def _takes_post(view: Any) -> bool:
    methods = _methods(view)
    return methods is None or "POST" in methods


def _is_stock_admin(name: str | None, view: Any) -> bool:
    if name is None:  # the admin's redirects to change pages, and its catch-all
        return (getattr(view, "view_class", None) or view).__module__.startswith("django.")
    return name in STOCK_ADMIN_NAMES or (
        name.startswith("admin:") and name.endswith(STOCK_ADMIN_SUFFIXES)
    )


def test_every_url_that_takes_a_post_is_fuzzed() -> None:
    fuzzed = {e.name for e in ENDPOINTS}
    missing = sorted(
        str(name)
        for name, view in _walk(get_resolver().url_patterns)
        if _takes_post(view) and not _is_stock_admin(name, view) and name not in fuzzed
    )
    assert missing == [], f"add these to ENDPOINTS in {__name__}: {missing}"


def test_the_table_names_only_urls_that_exist() -> None:
    names = {name for name, _ in _walk(get_resolver().url_patterns)}
    assert {e.name for e in ENDPOINTS} <= names


def test_the_coverage_check_sees_require_post_and_class_views() -> None:
    """The check above is only as good as its reading of the views: pin that reading."""
    views = dict(_walk(get_resolver().url_patterns))
    assert _methods(views["goals:submit"]) == {"POST"}
    assert _takes_post(views["goals:detail"])  # answers a POST like a GET
    assert not _takes_post(views["account_reset_password_done"])
    assert _takes_post(views["account_login"])
