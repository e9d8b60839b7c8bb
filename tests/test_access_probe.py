"""The access probe (issue #14): every URL pattern, for every kind of visitor, by GET and
by POST (empty and with junk), answers without a 500, and nobody reads text that is not
theirs.

The probe walks the URL configuration, as ``test_url_sweep`` does, but fills each path
with the real ids and tokens of cohort A's objects, so the views reach their access
checks instead of stopping at a 404. Every private text in the world carries a unique
marker; a marker in the answer to someone outside its audience is a leak, on any page,
in the admin too.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import product
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

import pytest

from accounts.models import User
from goals import services as goal_services
from goals.models import CheckAnswer, FitCheck, Goal, Meeting, Obstacle
from goals.services import health, meetings, obstacles
from matching.models import (
    Cohort,
    Enrollment,
    Introduction,
    MatchRun,
    MatchRunPair,
    MatchRunStatus,
    Mentorship,
    MentorshipRequest,
    Role,
    Suggestion,
)
from matching.services import (
    accept_request,
    introduce,
    post_mentorship_message,
    post_request_message,
    send_request,
)
from matching.services.preferences import add_preference
from matching.services.suggestions import current_weights
from programmes.models import ImportBatch, Invitation, SurveyResponse
from programmes.services import imports, invitations
from programmes.services.surveys import answer_survey
from tests.factories import REQUEST_MESSAGE, CohortFactory, ProfileFactory, site_programme_admin
from tests.goals.conftest import days, metric_draft, milestones_draft
from tests.programmes.people import enroll

pytestmark = pytest.mark.django_db

MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def mark(name: str) -> str:
    """A marker no page shows by chance; the ``-END`` keeps one from containing another."""
    return f"SECRET-{name}-END"


# Addresses are stored in lower case, so this marker is written in lower case.
MENTEE_EMAIL = "secret-a-mentee-email-end@example.org"


# --- Who may read what ------------------------------------------------------------------

ROLES = [
    "anonymous",
    "mentee",  # cohort A, owns the mentorship and its goal
    "mentor",  # cohort A, the mentee's mentor
    "stranger",  # a mentee of cohort A, no part of the mentorship
    "other_cohort",  # the mentee of a mentorship in cohort B, and in B only
    "superuser",
    "admin_a",  # programme admin of cohort A
    "admin_b",  # programme admin of cohort B only
    "ex_admin_a",  # still listed as cohort A's programme admin, but no longer staff
    "plain_staff",  # staff in no group: the admin opens, and shows nothing
]

PAIR_A = {"mentee", "mentor", "superuser", "admin_a"}
PAIR_B = {"other_cohort", "superuser", "admin_b"}
# Each marker and the roles that may read it; to everyone else it must never be shown.
AUDIENCE: dict[str, set[str]] = {
    # A mentee is not in the directory: only her mentor and her programme see who she is.
    mark("A-MENTEE-NAME"): PAIR_A,
    MENTEE_EMAIL: PAIR_A,
    mark("A-GOAL"): PAIR_A,
    mark("A-MILESTONE"): PAIR_A,
    mark("A-PROGRESS"): PAIR_A,
    mark("A-COMMENT"): PAIR_A,
    mark("A-OBSTACLE"): PAIR_A,
    mark("A-ADVICE"): PAIR_A,
    mark("A-AGENDA"): PAIR_A,
    mark("A-NOTE"): PAIR_A,
    mark("A-ACTION"): PAIR_A,
    mark("A-MESSAGE"): PAIR_A,
    mark("A-INTRO"): PAIR_A,
    # Another mentee's request to the same mentor: not the mentor's own mentee's business.
    mark("A-REQUEST"): {"mentor", "superuser", "admin_a"},
    mark("A-REQUEST-REPLY"): {"mentor", "superuser", "admin_a"},
    # Private meeting notes: their writer, and nobody else, not even a superuser.
    mark("A-MENTOR-PRIVATE"): {"mentor"},
    mark("A-MENTEE-PRIVATE"): {"mentee"},
    # Survey answers are for programme admins; the mentee wrote this one (her data export).
    mark("A-SURVEY"): {"mentee", "superuser", "admin_a"},
    mark("A-IMPORT"): {"superuser", "admin_a"},
    # "Is this working?": the mentee's answer is for her programme, not for her mentor.
    mark("A-FIT"): {"mentee", "superuser", "admin_a"},
    mark("B-GOAL"): PAIR_B,
    mark("B-NOTE"): PAIR_B,
    mark("B-PRIVATE"): set(),  # written by B's mentor, who is none of the roles
}


def forbidden_for(role: str) -> list[str]:
    return [marker for marker, readers in AUDIENCE.items() if role not in readers]


# --- The world ----------------------------------------------------------------------------


def _past_meeting(mentorship: Mentorship, by: User, agenda: str) -> Meeting:
    """Meetings are scheduled in the future; time passing is simulated afterwards."""
    meeting = meetings.schedule_meeting(
        mentorship=mentorship,
        by=by,
        starts_at=(timezone.now() + timedelta(hours=24)).replace(second=0, microsecond=0),
        duration_minutes=45,
        format="video",
        location="https://meet.example.org/abc",
        agenda=agenda,
    )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    meeting.refresh_from_db()
    return meeting


def _pair(cohort: Cohort, mentee: Enrollment, mentor: Enrollment) -> Mentorship:
    request = send_request(mentee=mentee.user, mentor_enrollment=mentor, message=REQUEST_MESSAGE)
    return accept_request(request=request, by=mentor.user)


@dataclass
class World:
    users: dict[str, User | None] = field(default_factory=dict)
    # Values for path parameters, by URL name and parameter name (see ``_value``).
    objects: dict[str, Any] = field(default_factory=dict)
    # Cohort A's object of each admin model, by "app_label.model_name".
    admin_objects: dict[str, Any] = field(default_factory=dict)
    b_admin_pages: list[str] = field(default_factory=list)


def build_world() -> World:
    world = World()
    # Cohort A asks for choices (its preference window is open), B does not.
    a = CohortFactory(
        name="Cohort A",
        slug="cohort-a",
        preferences_open_at=timezone.now() - timedelta(days=1),
        preferences_close_at=timezone.now() + timedelta(days=30),
    )
    b = CohortFactory(name="Cohort B", slug="cohort-b")
    admin_a = site_programme_admin(a)

    # Cohort A: a mentorship with everything a mentorship can hold.
    mentee = enroll(a, Role.MENTEE, display_name=mark("A-MENTEE-NAME"), user__email=MENTEE_EMAIL)
    mentor = enroll(a, Role.MENTOR, mentor_capacity=3)
    stranger = enroll(a, Role.MENTEE)
    requester = enroll(a, Role.MENTEE)
    contact = enroll(a, Role.MENTOR)
    mentorship = _pair(a, mentee, mentor)
    post_mentorship_message(mentorship=mentorship, author=mentee.user, body=mark("A-MESSAGE"))
    introduction = introduce(
        mentorship=mentorship,
        by=mentor.user,
        contact_email=contact.user.email,
        message=f"You both speak at meetups. {mark('A-INTRO')}",
    )
    request = send_request(
        mentee=requester.user,
        mentor_enrollment=mentor,
        message=f"{REQUEST_MESSAGE} {mark('A-REQUEST')}",
    )
    post_request_message(request=request, author=mentor.user, body=mark("A-REQUEST-REPLY"))

    goal = goal_services.save_goal(
        mentorship=mentorship,
        by=mentee.user,
        draft=milestones_draft(
            title=f"Ship a Django REST API to production {mark('A-GOAL')}",
            milestones=[(mark("A-MILESTONE"), days(10)), ("Deploy to production", days(50))],
        ),
    )
    goal = goal_services.submit_goal(goal=goal, by=mentee.user)
    goal = goal_services.review_goal(goal=goal, by=mentor.user, approve=True)
    goal = goal_services.start_goal(goal=goal, by=mentee.user)
    first_milestone = goal.milestones.order_by("pk").first()
    assert first_milestone is not None
    progress = goal_services.log_progress(
        goal=goal, by=mentee.user, milestone_ids=[first_milestone.pk], note=mark("A-PROGRESS")
    )
    comment = goal_services.comment_on_goal(goal=goal, by=mentor.user, body=mark("A-COMMENT"))
    obstacle = obstacles.flag_obstacle(
        goal=goal, by=mentee.user, category="time", description=mark("A-OBSTACLE")
    )
    obstacles.advise_on_obstacle(obstacle=obstacle, by=mentor.user, advice=mark("A-ADVICE"))

    meeting = _past_meeting(mentorship, mentee.user, mark("A-AGENDA"))
    meetings.add_note(meeting=meeting, by=mentee.user, body=mark("A-NOTE"))
    meetings.add_note(
        meeting=meeting, by=mentor.user, body=mark("A-MENTOR-PRIVATE"), is_private=True
    )
    meetings.add_note(
        meeting=meeting, by=mentee.user, body=mark("A-MENTEE-PRIVATE"), is_private=True
    )
    action = meetings.add_action_item(
        meeting=meeting, by=mentor.user, owner=mentee.user, title=mark("A-ACTION")
    )

    fit_check = FitCheck.objects.create(
        mentorship=mentorship, person=mentee.user, kind="fit", due_on=timezone.localdate()
    )
    health.answer_check(
        check=fit_check, by=mentee.user, answer=CheckAnswer.POOR_FIT, comment=mark("A-FIT")
    )

    suggestion = Suggestion.objects.create(
        cohort=a,
        mentee_enrollment=stranger,
        mentor_enrollment=contact,
        rank=1,
        score=0.8,
        weights_version=1,
    )
    preference = add_preference(chooser=stranger, chosen=contact, by=stranger.user)
    run = MatchRun.objects.create(
        cohort=a, mode="optimal", status=MatchRunStatus.DRAFT, created_by=admin_a
    )
    pair = MatchRunPair.objects.create(
        run=run, mentee_enrollment=stranger, mentor_enrollment=contact, score=0.7
    )
    invitation = invitations.create_invitation(
        cohort=a,
        email="invitee-a@example.org",
        name="Ana",
        role="mentee",
        capacity=None,
        by=admin_a,
    )
    answered = SurveyResponse.objects.create(
        cohort=a, user=mentee.user, role=Role.MENTEE, kind="midpoint"
    )
    answer_survey(
        response=answered, satisfaction=4, recommend=8, goal_progress=1, comments=mark("A-SURVEY")
    )
    unanswered = SurveyResponse.objects.create(
        cohort=a, user=mentor.user, role=Role.MENTOR, kind="midpoint"
    )
    upload = SimpleUploadedFile(
        "people.csv", f"email,role,name\nimport-a@example.org,mentee,{mark('A-IMPORT')}\n".encode()
    )
    batch = imports.parse_csv(cohort=a, file=upload, filename="people.csv", by=admin_a)

    # Cohort B: a smaller mentorship of its own.
    mentee_b = enroll(b, Role.MENTEE)
    mentor_b = enroll(b, Role.MENTOR)
    mentorship_b = _pair(b, mentee_b, mentor_b)
    goal_b = goal_services.save_goal(
        mentorship=mentorship_b,
        by=mentee_b.user,
        draft=metric_draft(title=f"Improve NPS from 20 to 40 {mark('B-GOAL')}"),
    )
    meeting_b = _past_meeting(mentorship_b, mentee_b.user, "Our first talk.")
    meetings.add_note(meeting=meeting_b, by=mentee_b.user, body=mark("B-NOTE"))
    meetings.add_note(meeting=meeting_b, by=mentor_b.user, body=mark("B-PRIVATE"), is_private=True)

    ex_admin = site_programme_admin(a)
    ex_admin.is_staff = False
    ex_admin.save(update_fields=["is_staff"])
    world.users = {
        "anonymous": None,
        "mentee": mentee.user,
        "mentor": mentor.user,
        "stranger": stranger.user,
        "other_cohort": mentee_b.user,
        "superuser": ProfileFactory(
            user__is_staff=True, user__is_superuser=True, enrolled=False
        ).user,
        "admin_a": admin_a,
        "admin_b": site_programme_admin(b),
        "ex_admin_a": ex_admin,
        "plain_staff": ProfileFactory(user__is_staff=True, enrolled=False).user,
    }
    world.objects = {
        "cohort": a,
        "goal": goal,
        "meeting": meeting,
        "action_item": action,
        "obstacle": obstacle,
        "mentorship": mentorship,
        "request": request,
        "introduction": introduction,
        "mentor_enrollment": mentor,
        "stranger_enrollment": stranger,
        "suggestion": suggestion,
        "run": run,
        "pair": pair,
        "batch": batch,
        "invitation": invitation,
        "surveys": [answered, unanswered],
        "goal_b": goal_b,
        "meeting_b": meeting_b,
        "fit_check": fit_check,
        "mentee_user": mentee.user,
    }
    # Cohort B's own admin pages, where B's programme admin may post A's ids (see JUNK).
    world.b_admin_pages = [
        f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"
        for obj in (b, mentee_b, mentorship_b, goal_b, meeting_b)
    ]
    world.admin_objects = {
        "matching.cohort": a,
        "matching.enrollment": mentee,
        "matching.mentorship": mentorship,
        "matching.mentorshiprequest": request,
        "matching.introduction": introduction,
        "matching.suggestion": suggestion,
        "matching.preference": preference,
        "matching.matchrun": run,
        "matching.matchweights": current_weights(a),
        "matching.auditentry": a.audit_entries.first(),
        "goals.goal": goal,
        "goals.goalcomment": comment,
        "goals.meeting": meeting,
        "goals.obstacle": obstacle,
        "goals.progressupdate": progress,
        "goals.fitcheck": fit_check,
        "programmes.importbatch": batch,
        "programmes.invitation": invitation,
        "programmes.surveyresponse": answered,
        "accounts.user": mentee.user,
        "profiles.profile": mentee.user.profile,
        "account.emailaddress": mentee.user.emailaddress_set.first(),
    }
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Made once for the module and rolled back after its last test; each test's own
    transaction nests inside this one (as in ``tests/fuzz``)."""
    fast_hashing = override_settings(PASSWORD_HASHERS=[MD5_HASHER])
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# --- Filling the URL patterns ------------------------------------------------------------


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, str | None]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            for route, name in _walk(entry.url_patterns, prefix + str(entry.pattern)):
                yield route, (namespace + name if name and namespace else name)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


ROUTES = sorted(set(_walk(get_resolver().url_patterns)), key=lambda r: r[0])

# Which of the world's objects a view's ``pk`` names, by URL name.
PK_OF = {
    "goals:detail": "goal",
    "goals:close": "goal",
    "goals:comment": "goal",
    "goals:edit": "goal",
    "goals:obstacle-flag": "goal",
    "goals:progress": "goal",
    "goals:review": "goal",
    "goals:submit": "goal",
    "goals:action-toggle": "action_item",
    "goals:fit-check": "fit_check",
    "goals:meeting-detail": "meeting",
    "goals:meeting-action": "meeting",
    "goals:meeting-cancel": "meeting",
    "goals:meeting-edit": "meeting",
    "goals:meeting-ics": "meeting",
    "goals:meeting-note": "meeting",
    "goals:obstacle-advise": "obstacle",
    "goals:obstacle-resolve": "obstacle",
    "matching:introduction-detail": "introduction",
    "matching:introduction-answer": "introduction",
    "matching:mentor-detail": "mentor_enrollment",
    "matching:request-create": "mentor_enrollment",
    "matching:mentorship-detail": "mentorship",
    "matching:mentorship-end": "mentorship",
    "matching:mentorship-feedback": "mentorship",
    "matching:mentorship-introduce": "mentorship",
    "matching:request-detail": "request",
    "matching:request-accept": "request",
    "matching:request-decline": "request",
    "matching:request-withdraw": "request",
    "matching:suggestion-dismiss": "suggestion",
    "matching:choices": "stranger_enrollment",
    "matching:choice-add": "stranger_enrollment",
    "matching:choice-move": "stranger_enrollment",
    "matching:choice-remove": "stranger_enrollment",
    # The API and SCIM answer these visitors 401 (tokens only), whatever the id.
    "api:cohort-detail": "cohort",
    "api:cohort-report": "cohort",
    "api:enrollment-detail": "mentor_enrollment",
    "api:mentorship-detail": "mentorship",
    "api:goal-detail": "goal",
    "api:invitation-detail": "invitation",
    "api:scim-user": "mentee_user",
}
# Parameters no object of the world fills: any value shows the view's answer to nonsense.
DUMMY = "x-1"
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")
ADMIN_MODEL = re.compile(r"^admin/(\w+)/(\w+)/<path:object_id>/")


def _values(world: World, route: str, name: str | None, parameter: str) -> list[str]:
    objects = world.objects
    if parameter == "pk":
        return [str(objects[PK_OF[name]].pk)] if name in PK_OF else [DUMMY]
    if parameter == "mentorship_pk":
        return [str(objects["mentorship"].pk)]
    if parameter == "token":
        if name == "programmes:survey":
            return [survey.token for survey in objects["surveys"]]
        return [objects["invitation"].token]
    if parameter == "cohort_id":
        return [str(objects["cohort"].pk)]
    if parameter == "kind":
        return ["participants", "mentorships", "goals"]
    if parameter == "batch_id":
        return [str(objects["batch"].pk)]
    if parameter == "run_id":
        return [str(objects["run"].pk)]
    if parameter == "pair_id":
        return [str(objects["pair"].pk)]
    if parameter == "content_type_id":
        return [str(ContentType.objects.get_for_model(Goal).pk)]
    if parameter == "id":  # the admin's password change for a user
        return [str(world.admin_objects["accounts.user"].pk)]
    if parameter == "app_label":
        return ["matching"]
    if parameter == "object_id":
        if route.startswith("admin/r/"):
            return [str(objects["goal"].pk)]
        found = ADMIN_MODEL.match(route)
        assert found, route
        label = f"{found[1]}.{found[2]}"
        obj = world.admin_objects.get(label)
        if obj is None:  # a model with no cohort in it (skills, sites): any row will do
            obj = apps.get_model(label).objects.order_by("pk").first()
        return [str(obj.pk) if obj is not None else DUMMY]
    return [DUMMY]  # allauth's keys, the admin's catch-all


def _paths(world: World, route: str, name: str | None) -> list[str]:
    parameters = [m[2] or m[3] for m in PARAMETER.finditer(route)]
    paths = []
    for values in product(*(_values(world, route, name, p) for p in parameters)):
        path = route
        for value in values:
            path = PARAMETER.sub(lambda _, value=value: value, path, count=1)
        path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
        paths.append("/" + path.lstrip("/"))
    return paths


def _admin_queries(world: World) -> list[str]:
    """Admin addresses whose query names cohort A's rows: each list searched and filtered
    by cohort A, each add page pre-filled with A's objects (a raw-id box shows the
    object it names), and the autocomplete of every relation."""
    paths = []
    for model in admin.site._registry:
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        paths += [f"{base}?q=secret", f"{base}?cohort={world.objects['cohort'].pk}"]
        prefill = {}
        for relation in opts.get_fields():
            if not (relation.concrete and (relation.many_to_one or relation.many_to_many)):
                continue
            remote = relation.remote_field.model
            if remote in admin.site._registry:
                query = {
                    "app_label": opts.app_label,
                    "model_name": opts.model_name,
                    "field_name": relation.name,
                    "term": "",
                }
                paths.append(f"/admin/autocomplete/?{urlencode(query)}")
            if (obj := world.admin_objects.get(remote._meta.label_lower)) is not None:
                prefill[relation.name] = obj.pk
        if prefill:
            paths.append(f"{base}add/?{urlencode(prefill)}")
    return paths


def probe_paths(world: World) -> list[str]:
    paths = {path for route, name in ROUTES for path in _paths(world, route, name)}
    return sorted(paths | set(world.b_admin_pages))


# --- Visiting ------------------------------------------------------------------------------

# What a careless or hostile form post might carry: wrong types, unknown choices, other
# people's ids, an admin action and its confirmation, an outside redirect.
JUNK = {
    "title": "<b>x</b>" * 40,
    "body": "💥",
    "message": "x",
    "comment": "y" * 6000,
    "status": "no-such-status",
    "outcome": "no-such-outcome",
    "decision": "maybe",
    "accept": "maybe",
    "approve": "maybe",
    "rating": "99",
    "value": "NaN",
    "milestones": ["abc", "-1"],
    "mentor": "abc",
    "role": "nobody",
    "kind": "nothing",
    "category": "nothing",
    "email": "not-an-email",
    "contact_email": "nobody@example.org",
    "starts_at": "yesterday",
    "starts_on": "2026-02-30",
    "due_on": "2026-13-01",
    "target_date": "0000-00-00",
    "duration_minutes": "-5",
    "capacity": "eleven",
    "form_token": "not-a-token",
    "action": "no_such_action",
    "_selected_action": ["abc", "-1"],
    "index": "x",
    "post": "yes",
    "confirm": "yes",
    "password": "wrong",
    "code": "000000",
    "next": "https://evil.example/",
}


def junk_for(world: World) -> dict[str, Any]:
    """JUNK, with cohort A's rows in every relation a form may name: nobody else may
    attach to them, nor see them named back in a refused form."""
    objects, mentorship = world.objects, world.objects["mentorship"]
    return {
        **JUNK,
        "cohort": objects["cohort"].pk,
        "mentorship": mentorship.pk,
        "goal": objects["goal"].pk,
        "meeting": objects["meeting"].pk,
        "request": objects["request"].pk,
        "run": objects["run"].pk,
        "mentee_enrollment": mentorship.mentee_enrollment_id,
        "mentor_enrollment": mentorship.mentor_enrollment_id,
        "owner": mentorship.mentee.pk,
        "contact": mentorship.mentee.pk,
        "user": MENTEE_EMAIL,
    }


@contextmanager
def rolled_back() -> Iterator[None]:
    """Whatever a request writes (a POST may delete, end or log out) is undone, so every
    request meets the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _body(response: HttpResponse) -> str:
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    return content.decode(errors="replace")


def visit(
    client: Client,
    role: str,
    user: User | None,
    paths: list[str],
    queries: list[str],
    junk: dict[str, Any],
) -> tuple[int, list[str]]:
    """Every path by GET, empty POST and junk POST, and every query by GET, as ``user``:
    the number of requests and what went wrong, one line each."""
    client.cookies.clear()
    if user is not None:
        client.force_login(user)
    cookies = deepcopy(client.cookies)
    forbidden = forbidden_for(role)
    failures: list[str] = []
    sent = 0
    # A query's POST is its path's POST, already sent.
    methods = [("GET", None), ("POST", {}), ("POST junk", junk)]
    requests = [(path, method, data) for path in paths for method, data in methods]
    requests += [(query, "GET", None) for query in queries]
    for path, method, data in requests:
        sent += 1
        client.cookies = deepcopy(cookies)
        try:
            with rolled_back():
                response = client.get(path) if data is None else client.post(path, data)
                body = _body(response)
        except Exception as error:  # noqa: BLE001 - every crash is reported, not raised
            failures.append(f"{method} {path}: raised {type(error).__name__}: {error}")
            continue
        if response.status_code >= 500:
            failures.append(f"{method} {path}: {response.status_code}")
        if "evil.example" in response.get("Location", ""):
            failures.append(f"{method} {path}: redirects off-site to {response['Location']}")
        for marker in forbidden:
            if marker in body:
                failures.append(f"{method} {path}: {response.status_code} shows {marker}")
    return sent, failures


@pytest.fixture(scope="module")
def browser() -> Client:
    """One client for the module (a new one loads the middleware again); it raises what
    a view raises, so the failure line can say what crashed."""
    return Client(raise_request_exception=True)


@pytest.fixture
def people(world: World) -> dict[str, User | None]:
    return world.users


# --- The probe ---------------------------------------------------------------------------


def test_every_route_is_filled_and_every_object_route_with_a_real_id(world):
    paths = probe_paths(world)
    assert not [p for p in paths if "<" in p or "(?" in p]
    # A new view with a ``pk`` must say here which object it shows, or the probe would
    # only ever see its 404.
    unknown = [
        name
        for route, name in ROUTES
        if ("<int:pk>" in route or "<id:pk>" in route) and name not in PK_OF
    ]
    assert unknown == []
    assert len(paths) > 250


@pytest.mark.parametrize("role", ROLES)
def test_no_page_crashes_or_shows_what_is_not_theirs(browser, world, people, role):
    paths, queries = probe_paths(world), _admin_queries(world)
    sent, failures = visit(browser, role, people[role], paths, queries, junk_for(world))
    assert sent == 3 * len(paths) + len(queries)
    assert failures == [], f"{role}, {len(failures)} of {sent} requests:\n" + "\n".join(failures)


def test_the_markers_are_on_the_pages_of_the_people_they_belong_to(browser, world, people):
    """Without this, a marker no page ever shows would make the probe pass vacuously."""
    objects = world.objects
    survey = world.admin_objects["programmes.surveyresponse"]
    seen: dict[str, set[str]] = {}
    visits = {
        "mentee": [
            f"/goals/{objects['goal'].pk}/",
            f"/meetings/{objects['meeting'].pk}/",
            f"/mentorships/{objects['mentorship'].pk}/",
            "/account/data/download.json",
        ],
        "mentor": [
            f"/meetings/{objects['meeting'].pk}/",
            f"/requests/{objects['request'].pk}/",
        ],
        "other_cohort": [
            f"/goals/{objects['goal_b'].pk}/",
            f"/meetings/{objects['meeting_b'].pk}/",
        ],
        "admin_a": [
            f"/admin/matching/cohort/{objects['cohort'].pk}/import/{objects['batch'].pk}/",
            f"/admin/programmes/surveyresponse/{survey.pk}/change/",
            f"/admin/goals/fitcheck/{objects['fit_check'].pk}/change/",
        ],
    }
    for role, paths in visits.items():
        browser.cookies.clear()
        browser.force_login(people[role])
        for path in paths:
            response = browser.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            body = _body(response)
            for marker in AUDIENCE:
                if marker in body:
                    seen.setdefault(marker, set()).add(role)
    # Only B's private note is for nobody among the roles.
    assert set(AUDIENCE) - set(seen) == {mark("B-PRIVATE")}
    for marker, roles in seen.items():
        assert roles <= AUDIENCE[marker], marker


def test_the_world_is_what_the_probe_assumes(world):
    assert Obstacle.objects.count() == 1
    assert Introduction.objects.get().mentorship == world.objects["mentorship"]
    assert MentorshipRequest.objects.get(pk=world.objects["request"].pk).is_pending
    assert Invitation.objects.filter(cohort=world.objects["cohort"]).exists()
    assert ImportBatch.objects.get().cohort == world.objects["cohort"]
    assert Goal.objects.count() == 2
