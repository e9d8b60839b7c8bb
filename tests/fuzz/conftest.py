"""The fuzz suite's cast and objects, and the harness that posts one example.

Hypothesis runs many examples inside one test, and pytest-django rolls the database back
only after the test. So every example runs in a savepoint that is rolled back: each one
starts from the same world, whatever the previous one saved.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, cached_property
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.messages import ERROR
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.utils import timezone

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import User
from goals import services
from goals.models import ActionItem, CheckKind, FitCheck, Goal, GoalStatus, Meeting, Obstacle
from goals.services import meetings, obstacles
from matching.models import (
    Cohort,
    Enrollment,
    Introduction,
    JoinMode,
    MatchRun,
    MatchRunPair,
    MatchRunStatus,
    MatchRunUnmatched,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    Role,
    Suggestion,
)
from matching.services import (
    accept_request,
    default_cohort,
    end_mentorship,
    introduce,
    send_request,
)
from matching.services.preferences import add_preference
from profiles.models import Language, Skill
from profiles.services import save_essentials, save_intent
from programmes.groups import PROGRAMME_ADMIN_GROUP
from programmes.models import ImportBatch, Invitation, SurveyResponse
from programmes.services import imports, invitations
from tests.factories import ProfileFactory, UserFactory
from tests.goals.conftest import metric_draft, milestones_draft

MESSAGE = (
    "Hello! I would love your help preparing my first conference talk, from the outline "
    "to the rehearsals and the hard questions at the end."
)
MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
INVITEE_EMAIL = "invited.newcomer@example.org"
MEMBER_EMAIL = "invited.member@example.org"

# Every table a form or action may write to. Sessions and the cache are left out: a
# refused login still counts a failed attempt, and every page stores its messages.
SNAPSHOT_APPS = (
    "admin",
    "account",
    "mfa",
    "outbox",
    "accounts",
    "profiles",
    "matching",
    "goals",
    "programmes",
)


@cache
def _snapshot_tables() -> tuple[str, ...]:
    models_ = [
        model
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    # Group membership and permissions (programme admins) live in auth's link tables.
    models_ += [User.groups.through, User.user_permissions.through, Group]
    return tuple(sorted({model._meta.db_table for model in models_}))


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table above, so any change at all shows up.

    Plain SQL: through the ORM, the 40-odd queries cost more than the request itself.
    """
    found = {}
    with connection.cursor() as cursor:
        for table in _snapshot_tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            found[table] = cursor.fetchall()
    return found


def changed_tables(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def stored_nul(before: dict[str, list], after: dict[str, list]) -> list[str]:
    """Tables that took a NUL character, raw or JSON-escaped, in a new or changed row.

    SQLite stores it, PostgreSQL refuses it with a crash: checked here, the SQLite run
    finds what only the PostgreSQL run would otherwise show.
    """
    found = []
    for table in changed_tables(before, after):
        old = {repr(row) for row in before[table]}
        for row in after[table]:
            if repr(row) not in old and any(
                isinstance(v, str) and ("\x00" in v or "\\u0000" in v) for v in row
            ):
                found.append(table)
                break
    return found


# --- The world the endpoints act on ------------------------------------------------------


def _onboarded(**fields: Any) -> User:
    return ProfileFactory(**fields).user


class World:
    """Everything the endpoints act on, made once per module (see the ``world`` fixture).

    Time zones are far apart on purpose: meeting times are converted through them.
    """

    # --- People --------------------------------------------------------------------

    @cached_property
    def mentee(self) -> User:
        return _onboarded(wants_mentoring=True, wants_to_mentor=False)

    @cached_property
    def mentor(self) -> User:
        return _onboarded(wants_mentoring=False, wants_to_mentor=True)

    @cached_property
    def stranger(self) -> User:
        """Onboarded and in the community cohort, but no part of anything at hand."""
        return _onboarded(wants_mentoring=True, wants_to_mentor=True)

    @cached_property
    def newcomer(self) -> User:
        """Verified, signed up, but has not started onboarding."""
        return UserFactory()

    @cached_property
    def community(self) -> Cohort:
        return default_cohort()

    @cached_property
    def admin(self) -> User:
        """A programme admin of the community cohort, as the admin grants it."""
        user = UserFactory(is_staff=True)
        user.groups.add(Group.objects.get(name=PROGRAMME_ADMIN_GROUP))
        ProfileFactory(user=user, enrolled=False)
        self.community.admins.add(user)
        return user

    @cached_property
    def outside_admin(self) -> User:
        """In the programme admin group, but running none of the cohorts here.

        Not the admin of some other cohort: acting on one's own cohort (close all,
        select_across) is a change, rightly, and this person must change nothing."""
        user = UserFactory(is_staff=True)
        user.groups.add(Group.objects.get(name=PROGRAMME_ADMIN_GROUP))
        return user

    @cached_property
    def mentee2(self) -> User:
        """A mentee whose request to the mentor is still waiting."""
        return _onboarded(wants_mentoring=True, time_zone="America/Los_Angeles")

    @cached_property
    def mentor2(self) -> User:
        """A mentor the mentee has not asked yet, with room for several mentees."""
        return _onboarded(wants_mentoring=False, wants_to_mentor=True, mentor_capacity=5)

    @cached_property
    def choice_cohort(self) -> Cohort:
        """A programme whose preference window is open, with two mentors to choose."""
        now = timezone.now()
        cohort = Cohort.objects.create(
            name="Spring choices",
            slug="spring-choices",
            preferences_open_at=now - timedelta(days=1),
            preferences_close_at=now + timedelta(days=30),
        )
        for _ in range(2):
            mentor = ProfileFactory(wants_mentoring=False, wants_to_mentor=True, enrolled=False)
            Enrollment.objects.create(user=mentor.user, cohort=cohort, role=Role.MENTOR)
        return cohort

    @cached_property
    def chooser(self) -> User:
        """A mentee of the choice cohort, who has listed its first mentor."""
        user = _onboarded(wants_mentoring=True, enrolled=False)
        mine = Enrollment.objects.create(user=user, cohort=self.choice_cohort, role=Role.MENTEE)
        add_preference(chooser=mine, chosen=self.choice_mentors[0], by=user)
        return user

    @cached_property
    def choice_mentors(self) -> list[Enrollment]:
        return list(self.choice_cohort.enrollments.filter(role=Role.MENTOR).order_by("pk"))

    @cached_property
    def contact(self) -> User:
        """Someone the mentor introduces the mentee to."""
        return _onboarded(wants_mentoring=True, wants_to_mentor=True)

    @cached_property
    def intent_only(self) -> User:
        """Onboarding step 1 done: the "about you" step is next."""
        user = UserFactory()
        save_intent(
            user=user,
            wants_mentoring=True,
            wants_to_mentor=False,
            mentor_capacity=0,
            is_accepting_requests=True,
        )
        return user

    @cached_property
    def essentials_done(self) -> User:
        """Onboarding steps 1 and 2 done: the skills step is next."""
        user = UserFactory()
        profile = save_intent(
            user=user,
            wants_mentoring=True,
            wants_to_mentor=True,
            mentor_capacity=2,
            is_accepting_requests=True,
        )
        fields = {
            "display_name": "Noor Haddad",
            "headline": "Designer moving into research",
            "job_title": "Designer",
            "industry": "software",
            "years_experience": 3,
            "career_stage": "early",
            "time_zone": "Asia/Kolkata",
            "hours_per_month": 4,
            "career_goals": "Lead user research for a product team within two years.",
            "meets_by_video": True,
        }
        save_essentials(profile=profile, fields=fields, languages=Language.objects.all()[:1])
        return user

    @cached_property
    def totp_user(self) -> User:
        """Has two-factor authentication on, so its pages have forms to post."""
        user = _onboarded()
        TOTP.activate(user, generate_totp_secret())
        RecoveryCodes.activate(user)
        return user

    @cached_property
    def invitee(self) -> User:
        """Has an account under the address an invitation was sent to."""
        self.member_invitation  # noqa: B018 - the invitation comes first, for its address
        return _onboarded(user__email=MEMBER_EMAIL)

    # --- Matching ------------------------------------------------------------------

    def enrollment(self, user: User, role: str) -> Enrollment:
        return Enrollment.objects.get(user=user, cohort=self.community, role=role)

    @cached_property
    def mentorship(self) -> Mentorship:
        self.mentee.profile.time_zone = "Pacific/Kiritimati"  # UTC+14
        self.mentee.profile.save()
        self.mentor.profile.time_zone = "America/Los_Angeles"  # UTC-8 or -7
        self.mentor.profile.save()
        request = send_request(
            mentee=self.mentee,
            mentor_enrollment=self.enrollment(self.mentor, Role.MENTOR),
            message=MESSAGE,
        )
        return accept_request(request=request, by=self.mentor)

    @cached_property
    def pending_request(self) -> MentorshipRequest:
        self.mentorship  # noqa: B018 - the mentor has a mentee already
        return send_request(
            mentee=self.mentee2,
            mentor_enrollment=self.enrollment(self.mentor, Role.MENTOR),
            message=MESSAGE,
        )

    @cached_property
    def ended_mentorship(self) -> Mentorship:
        """Ended, so its two people may leave feedback."""
        mentee = _onboarded(wants_mentoring=True)
        request = send_request(
            mentee=mentee,
            mentor_enrollment=self.enrollment(self.mentor2, Role.MENTOR),
            message=MESSAGE,
        )
        mentorship = accept_request(request=request, by=self.mentor2)
        return end_mentorship(
            mentorship=mentorship, by=self.mentor2, outcome=MentorshipStatus.COMPLETED
        )

    @cached_property
    def fit_check(self) -> FitCheck:
        """The mentee's open "Is this working?" check."""
        return FitCheck.objects.create(
            mentorship=self.mentorship,
            person=self.mentee,
            kind=CheckKind.FIT,
            due_on=timezone.localdate(),
        )

    @cached_property
    def introduction(self) -> Introduction:
        return introduce(
            mentorship=self.mentorship,
            by=self.mentor,
            contact_email=self.contact.email,
            message="You both love conference talks.",
        )

    @cached_property
    def suggestion(self) -> Suggestion:
        return Suggestion.objects.create(
            cohort=self.community,
            mentee_enrollment=self.enrollment(self.mentee, Role.MENTEE),
            mentor_enrollment=self.enrollment(self.mentor2, Role.MENTOR),
            rank=1,
            score=0.8,
            weights_version=1,
        )

    @cached_property
    def joinable(self) -> Cohort:
        return Cohort.objects.create(
            name="Leaders 2026", slug="leaders-2026", join_mode=JoinMode.INVITE, invite_code="lead"
        )

    @cached_property
    def match_run(self) -> MatchRun:
        run = MatchRun.objects.create(
            cohort=self.community,
            mode="optimal",
            status=MatchRunStatus.DRAFT,
            created_by=self.admin,
        )
        MatchRunPair.objects.create(
            run=run,
            mentee_enrollment=self.enrollment(self.contact, Role.MENTEE),
            mentor_enrollment=self.enrollment(self.mentor2, Role.MENTOR),
            score=0.7,
        )
        return run

    @cached_property
    def pair(self) -> MatchRunPair:
        return self.match_run.pairs.get()

    @cached_property
    def waiting(self) -> MatchRunUnmatched:
        """A mentee the match run left without a mentor."""
        return MatchRunUnmatched.objects.create(
            run=self.match_run,
            mentee_enrollment=self.enrollment(self.mentee, Role.MENTEE),
            reason="allowed_mentors_full",
            allowed_mentors=1,
        )

    # --- Goals and meetings ------------------------------------------------------------

    def _goal(self, status: str, draft: Any = None) -> Goal:
        goal = services.save_goal(
            mentorship=self.mentorship, by=self.mentee, draft=draft or metric_draft()
        )
        if status == GoalStatus.DRAFT:
            return goal
        goal = services.submit_goal(goal=goal, by=self.mentee)
        if status == GoalStatus.SUBMITTED:
            return goal
        goal = services.review_goal(goal=goal, by=self.mentor, approve=True)
        return services.start_goal(goal=goal, by=self.mentee)

    @cached_property
    def draft_goal(self) -> Goal:
        return self._goal(GoalStatus.DRAFT)

    @cached_property
    def submitted_goal(self) -> Goal:
        return self._goal(GoalStatus.SUBMITTED)

    @cached_property
    def goal(self) -> Goal:
        """A metric goal in progress."""
        return self._goal(GoalStatus.IN_PROGRESS)

    @cached_property
    def milestone_goal(self) -> Goal:
        return self._goal(GoalStatus.IN_PROGRESS, milestones_draft())

    @cached_property
    def obstacle(self) -> Obstacle:
        return obstacles.flag_obstacle(
            goal=self.goal, by=self.mentee, category="time", description="No quiet week."
        )

    def _meeting(self, *, hours: int) -> Meeting:
        return meetings.schedule_meeting(
            mentorship=self.mentorship,
            by=self.mentee,
            starts_at=(timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0),
            duration_minutes=45,
            format="video",
            location="https://meet.example.org/abc",
            agenda="The talk outline.",
        )

    @cached_property
    def upcoming_meeting(self) -> Meeting:
        return self._meeting(hours=48)

    @cached_property
    def past_meeting(self) -> Meeting:
        meeting = self._meeting(hours=24)
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
        meeting.refresh_from_db()
        return meeting

    @cached_property
    def action_item(self) -> ActionItem:
        return meetings.add_action_item(
            meeting=self.past_meeting, by=self.mentee, owner=self.mentee, title="Draft outline"
        )

    # --- Programmes --------------------------------------------------------------------

    @cached_property
    def invite_cohort(self) -> Cohort:
        cohort = Cohort.objects.create(
            name="Women in Tech", slug="women-in-tech", join_mode=JoinMode.INVITE
        )
        cohort.admins.add(self.admin)
        return cohort

    def _invite(self, email: str) -> Invitation:
        return invitations.create_invitation(
            cohort=self.invite_cohort,
            email=email,
            name="Ana",
            role="mentee",
            capacity=None,
            by=self.admin,
        )

    @cached_property
    def invitation(self) -> Invitation:
        """For someone with no account yet: the page signs them up."""
        return self._invite(INVITEE_EMAIL)

    @cached_property
    def member_invitation(self) -> Invitation:
        return self._invite(MEMBER_EMAIL)

    @cached_property
    def survey(self) -> SurveyResponse:
        return SurveyResponse.objects.create(
            cohort=self.community, user=self.mentee, role=Role.MENTEE, kind="midpoint"
        )

    @cached_property
    def import_batch(self) -> ImportBatch:
        upload = SimpleUploadedFile(
            "people.csv", b"email,role,name\nbad-address,mentor,Bo\nnew@example.org,mentee,Al\n"
        )
        return imports.parse_csv(
            cohort=self.community, file=upload, filename="people.csv", by=self.admin
        )

    # --- Other people's objects ------------------------------------------------------

    @cached_property
    def foreign_ids(self) -> list[str]:
        """Ids of rows that belong to a mentorship the actors are no part of."""
        mentee = _onboarded(wants_mentoring=True)
        request = send_request(
            mentee=mentee,
            mentor_enrollment=self.enrollment(self.mentor2, Role.MENTOR),
            message=MESSAGE,
        )
        other = accept_request(request=request, by=self.mentor2)
        goal = services.save_goal(mentorship=other, by=mentee, draft=milestones_draft())
        meeting = meetings.schedule_meeting(
            mentorship=other,
            by=mentee,
            starts_at=(timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0),
            duration_minutes=30,
            format="phone",
            location="",
            agenda="",
        )
        pools = [
            [other.pk, goal.pk, meeting.pk, mentee.pk, request.pk],
            list(goal.milestones.values_list("pk", flat=True)),
            list(Skill.objects.values_list("pk", flat=True)[:3]),
            list(Language.objects.values_list("pk", flat=True)[:3]),
            list(Cohort.objects.values_list("pk", flat=True)),
            list(Enrollment.objects.filter(user=mentee).values_list("pk", flat=True)),
        ]
        return sorted({str(pk) for pool in pools for pk in pool})

    def user(self, who: str) -> User | None:
        return None if who == "anonymous" else getattr(self, who)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The world, made once and rolled back after the module's last test.

    Each test's own transaction nests inside this one (pytest-django supports wrapping
    tests in a higher-scoped transaction), and each example in a savepoint inside that.
    """
    fast_hashing = override_settings(PASSWORD_HASHERS=[MD5_HASHER])
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        made = World()
        for name, value in vars(World).items():
            if isinstance(value, cached_property):
                getattr(made, name)
        yield made
        transaction.set_rollback(True)


# --- Posting one example ---------------------------------------------------------------


@dataclass
class Outcome:
    status: int
    is_refused: bool
    changed: list[str]
    stored_nul: list[str]
    followed_status: int | None
    response: HttpResponse


def _has_error_message(response: HttpResponse) -> bool:
    storage = getattr(response.wsgi_request, "_messages", None)
    return any(m.level >= ERROR for m in getattr(storage, "_queued_messages", []))


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def browser() -> Client:
    """One client for the module: a new one loads the middleware again, and WhiteNoise
    reads every static file when it starts. It raises whatever a view raises
    (``raise_request_exception=True``), so a crash fails the example with its traceback
    instead of showing only as a status of 500."""
    return Client(raise_request_exception=True)


class Visitor:
    """Someone at the browser for one test: logged in once, in the test's transaction,
    and given their cookies back before every example (an example may log them out)."""

    def __init__(self, client: Client, user: User | None) -> None:
        client.cookies = SimpleCookie()
        if user is not None:
            client.force_login(user)
        self.client, self.cookies = client, deepcopy(client.cookies)

    def send(
        self,
        *,
        method: str,
        path: str,
        data: dict[str, Any],
        files: dict[str, bytes] | None = None,
    ) -> Outcome:
        """Post (or get) one submission in a savepoint that is rolled back afterwards.

        When something was saved, the redirect is followed once: a value that saves but
        breaks the next page is a crash too.
        """
        client = self.client
        with rolled_back():
            client.cookies = deepcopy(self.cookies)
            before = snapshot()
            if method == "get":
                response = client.get(path, data)
            elif files is not None:
                uploads = {
                    name: SimpleUploadedFile(f"{name}.csv", body) for name, body in files.items()
                }
                response = client.post(path, {**data, **uploads})
            else:
                response = client.post(
                    path,
                    urlencode(data, doseq=True),
                    content_type="application/x-www-form-urlencoded",
                )
            # A redirect or a download (an export, which leaves an audit entry) is a
            # success; any other answer is a refusal and must change nothing.
            succeeded = response.status_code == 302 or (
                response.status_code == 200 and response.has_header("Content-Disposition")
            )
            refused = not succeeded or _has_error_message(response)
            after = snapshot()
            changed, nul = changed_tables(before, after), stored_nul(before, after)
            followed = None
            target = response.get("Location", "") if changed and not refused else ""
            if target and not urlsplit(target).netloc:
                followed = client.get(target).status_code
        return Outcome(response.status_code, refused, changed, nul, followed, response)
