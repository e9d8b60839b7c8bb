"""Programme admins in the Django admin: each sees and changes only their own cohorts.

Two programmes, Alpha and Beta, each with its own programme admin, mentor, mentees, a
pending request, a mentorship with a goal, meeting and obstacle, a suggestion, a draft
match run, weights and an audit entry. Alpha's admin must find nothing of Beta's on any
page, in search, filters, actions or the match-run views; a superuser sees both.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import User
from goals.models import Goal, GoalComment, Meeting, Obstacle
from matching.models import (
    AuditAction,
    AuditEntry,
    Cohort,
    Enrollment,
    Introduction,
    MatchRun,
    MatchRunPair,
    MatchRunStatus,
    MatchWeights,
    Mentorship,
    MentorshipRequest,
    Role,
    Suggestion,
)
from matching.services import accept_request, join_cohort, runs, send_request
from matching.services.audit import record
from programmes.groups import PROGRAMME_ADMIN_GROUP
from tests.factories import CohortFactory, ProfileFactory, UserFactory
from tests.matching.conftest import REQUEST_MESSAGE

pytestmark = pytest.mark.django_db


@dataclass
class Side:
    """One programme and everything in it, named after it (``alpha`` or ``beta``)."""

    name: str
    cohort: Cohort
    admin: User
    mentor: Enrollment
    mentee: Enrollment
    waiting: Enrollment
    request: MentorshipRequest
    mentorship: Mentorship
    goal: Goal
    meeting: Meeting
    obstacle: Obstacle
    suggestion: Suggestion
    run: MatchRun
    pair: MatchRunPair
    weights: MatchWeights
    entry: AuditEntry
    introduction: Introduction

    @property
    def markers(self) -> list[str]:
        """Text that can only come from this side's rows."""
        return [
            self.cohort.name,
            f"mentor-{self.name}@example.org",
            f"mentee-{self.name}@example.org",
            f"waiting-{self.name}@example.org",
            f"Goal {self.name}",
            f"Obstacle {self.name}",
            f"Imported {self.name}.csv",
        ]


def make_programme_admin(cohort: Cohort, email: str) -> User:
    """Staff, in the Programme admin group, listed as the cohort's admin."""
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_ADMIN_GROUP))
    cohort.admins.add(user)
    return user


def join(cohort: Cohort, email: str, role: Role) -> Enrollment:
    person = ProfileFactory(
        user__email=email,
        wants_to_mentor=role == Role.MENTOR,
        wants_mentoring=role == Role.MENTEE,
        enrolled=False,
    )
    return join_cohort(user=person.user, cohort=cohort, role=role)


def build_side(name: str) -> Side:
    cohort = CohortFactory(name=f"{name.title()} Programme", slug=name)
    admin_user = make_programme_admin(cohort, f"admin-{name}@example.org")
    mentor = join(cohort, f"mentor-{name}@example.org", Role.MENTOR)
    mentee = join(cohort, f"mentee-{name}@example.org", Role.MENTEE)
    waiting = join(cohort, f"waiting-{name}@example.org", Role.MENTEE)
    accepted = send_request(mentee=mentee.user, mentor_enrollment=mentor, message=REQUEST_MESSAGE)
    mentorship = accept_request(request=accepted, by=mentor.user)
    pending = send_request(mentee=waiting.user, mentor_enrollment=mentor, message=REQUEST_MESSAGE)
    goal = Goal.objects.create(
        mentorship=mentorship,
        title=f"Goal {name}",
        outcome="A talk given at the local meetup.",
        measure="milestones",
        plan="Outline, draft, rehearse twice.",
        relevance="Speaking is part of the next role.",
        target_date=timezone.localdate() + timedelta(days=60),
    )
    meeting = Meeting.objects.create(
        mentorship=mentorship,
        scheduled_by=mentee.user,
        starts_at=timezone.now() + timedelta(days=2),
        format="video",
    )
    obstacle = Obstacle.objects.create(
        goal=goal, raised_by=mentee.user, category="time", description=f"Obstacle {name}"
    )
    GoalComment.objects.create(goal=goal, author=mentor.user, body=f"Comment {name}")
    suggestion = Suggestion.objects.create(
        cohort=cohort,
        mentee_enrollment=waiting,
        mentor_enrollment=mentor,
        rank=1,
        score=0.5,
        weights_version=1,
    )
    run = MatchRun.objects.create(
        cohort=cohort, mode="optimal", status=MatchRunStatus.DRAFT, created_by=admin_user
    )
    pair = MatchRunPair.objects.create(
        run=run, mentee_enrollment=waiting, mentor_enrollment=mentor, score=0.5
    )
    weights = MatchWeights.objects.create(cohort=cohort, version=1, created_by=admin_user)
    entry = record(
        actor=admin_user,
        cohort=cohort,
        action=AuditAction.IMPORT_APPLIED,
        summary=f"Imported {name}.csv",
    )
    introduction = Introduction.objects.create(
        mentorship=mentorship, contact=waiting.user, message=f"Intro {name}"
    )
    return Side(
        name=name,
        cohort=cohort,
        admin=admin_user,
        mentor=mentor,
        mentee=mentee,
        waiting=waiting,
        request=pending,
        mentorship=mentorship,
        goal=goal,
        meeting=meeting,
        obstacle=obstacle,
        suggestion=suggestion,
        run=run,
        pair=pair,
        weights=weights,
        entry=entry,
        introduction=introduction,
    )


@pytest.fixture
def alpha() -> Side:
    return build_side("alpha")


@pytest.fixture
def beta() -> Side:
    return build_side("beta")


@pytest.fixture
def superuser() -> User:
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


# Every page a programme admin may open, with the row of a side it should list.
PAGES = {
    "matching_cohort": lambda s: s.cohort,
    "matching_enrollment": lambda s: s.mentor,
    "matching_mentorshiprequest": lambda s: s.request,
    "matching_mentorship": lambda s: s.mentorship,
    "matching_introduction": lambda s: s.introduction,
    "matching_matchweights": lambda s: s.weights,
    "matching_suggestion": lambda s: s.suggestion,
    "matching_matchrun": lambda s: s.run,
    "matching_auditentry": lambda s: s.entry,
    "goals_goal": lambda s: s.goal,
    "goals_meeting": lambda s: s.meeting,
    "goals_obstacle": lambda s: s.obstacle,
}

# The pages with a cohort filter (the cohort list itself has none).
FILTERED = [page for page in PAGES if page != "matching_cohort"]


def _rows(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


def _assert_nothing_of(side: Side, html: str) -> None:
    for marker in side.markers:
        assert marker not in html, f"{marker!r} leaked"


def test_the_programme_admin_group_exists_with_its_permissions():
    group = Group.objects.get(name=PROGRAMME_ADMIN_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_cohort", "change_cohort", "publish_matchrun", "view_auditentry"} <= codenames
    assert not {"add_cohort", "delete_cohort", "change_auditentry", "view_user"} & codenames


@pytest.mark.parametrize("page", PAGES)
def test_a_programme_admin_lists_only_their_own_rows(client, alpha, beta, page):
    client.force_login(alpha.admin)
    response = client.get(reverse(f"admin:{page}_changelist"))
    assert response.status_code == 200
    own = PAGES[page](alpha)
    assert own.pk in _rows(response)
    assert PAGES[page](beta).pk not in _rows(response)
    _assert_nothing_of(beta, response.content.decode())


@pytest.mark.parametrize("page", PAGES)
def test_a_superuser_lists_every_cohorts_rows(client, alpha, beta, superuser, page):
    client.force_login(superuser)
    response = client.get(reverse(f"admin:{page}_changelist"))
    assert {PAGES[page](alpha).pk, PAGES[page](beta).pk} <= _rows(response)


@pytest.mark.parametrize("page", PAGES)
def test_another_cohorts_row_does_not_exist_for_a_programme_admin(client, alpha, beta, page):
    client.force_login(alpha.admin)
    own = client.get(reverse(f"admin:{page}_change", args=[PAGES[page](alpha).pk]))
    assert own.status_code == 200
    url = reverse(f"admin:{page}_change", args=[PAGES[page](beta).pk])
    response = client.get(url, follow=True)
    # The admin answers a missing object with a redirect home, or 404 on the run page.
    assert response.status_code == 404 or response.redirect_chain[-1][0] == reverse("admin:index")
    if response.status_code == 200:
        assert "doesn’t exist" in response.content.decode()
    _assert_nothing_of(beta, response.content.decode())


@pytest.mark.parametrize("page", ["matching_cohort", "matching_enrollment", "goals_goal"])
def test_another_cohorts_history_and_delete_pages_show_nothing(client, alpha, beta, page):
    client.force_login(alpha.admin)
    pk = PAGES[page](beta).pk
    for view in ("history", "delete"):
        response = client.get(reverse(f"admin:{page}_{view}", args=[pk]), follow=True)
        assert response.status_code in (200, 403)
        _assert_nothing_of(beta, response.content.decode())


@pytest.mark.parametrize(
    ("page", "who"),
    [
        ("matching_enrollment", "mentor"),
        ("matching_mentorshiprequest", "waiting"),
        ("matching_mentorship", "mentee"),
        ("matching_suggestion", "waiting"),
        ("goals_goal", "mentee"),
        ("goals_meeting", "mentor"),
    ],
)
def test_searching_for_another_cohorts_people_finds_nothing(client, alpha, beta, page, who):
    client.force_login(alpha.admin)
    url = reverse(f"admin:{page}_changelist")
    assert _rows(client.get(url, {"q": f"{who}-alpha@example.org"}))
    response = client.get(url, {"q": f"{who}-beta@example.org"})
    assert _rows(response) == set()
    # The search box repeats the term; nothing else may show it.
    html = response.content.decode().replace(f'value="{who}-beta@example.org"', "")
    _assert_nothing_of(beta, html)


@pytest.mark.parametrize("page", FILTERED)
def test_filtering_on_another_cohort_shows_nothing(client, alpha, beta, page):
    client.force_login(alpha.admin)
    url = reverse(f"admin:{page}_changelist")
    own = client.get(url, {"cohort": alpha.cohort.pk})
    assert PAGES[page](alpha).pk in _rows(own)
    # The filter offers only their own cohort.
    assert alpha.cohort.name in own.content.decode()
    response = client.get(url, {"cohort": beta.cohort.pk})
    assert response.status_code == 200 and _rows(response) == set()
    _assert_nothing_of(beta, response.content.decode())


def test_a_hand_written_cohort_lookup_shows_nothing_either(client, alpha, beta):
    client.force_login(alpha.admin)
    url = reverse("admin:matching_enrollment_changelist")
    response = client.get(url, {"cohort__id__exact": beta.cohort.pk})
    # Django refuses a lookup it does not offer; if it ever allowed it, it must be empty.
    assert response.status_code == 400 or _rows(response) == set()


def test_a_superuser_sees_every_cohort_in_the_filter(client, alpha, beta, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:matching_enrollment_changelist")).content.decode()
    assert alpha.cohort.name in html and beta.cohort.name in html


# --- Actions ----------------------------------------------------------------


def _post_action(client, action: str, *pks: int):
    return client.post(
        reverse("admin:matching_cohort_changelist"),
        {"action": action, "_selected_action": [str(pk) for pk in pks]},
        follow=True,
    )


@pytest.mark.parametrize("action", ["run_optimal", "run_stable"])
def test_running_matching_on_another_cohort_does_nothing(client, alpha, beta, action):
    client.force_login(alpha.admin)
    before = set(MatchRun.objects.values_list("pk", flat=True))
    _post_action(client, action, beta.cohort.pk)
    assert set(MatchRun.objects.values_list("pk", flat=True)) == before
    # Ticking both runs only their own.
    _post_action(client, action, alpha.cohort.pk, beta.cohort.pk)
    new = MatchRun.objects.exclude(pk__in=before)
    assert [run.cohort_id for run in new] == [alpha.cohort.pk]


def test_recomputing_suggestions_touches_only_their_own_cohorts(client, alpha, beta, monkeypatch):
    asked: list[int] = []
    monkeypatch.setattr(
        "matching.admin.request_recompute", lambda cohort_ids: asked.extend(cohort_ids)
    )
    client.force_login(alpha.admin)
    _post_action(client, "recompute_suggestions", beta.cohort.pk)
    assert asked == []
    _post_action(client, "recompute_suggestions", alpha.cohort.pk, beta.cohort.pk)
    assert asked == [alpha.cohort.pk]


def test_a_programme_admin_has_no_delete_action(client, alpha, beta):
    client.force_login(alpha.admin)
    response = client.post(
        reverse("admin:matching_enrollment_changelist"),
        {"action": "delete_selected", "_selected_action": [beta.mentor.pk, alpha.mentor.pk]},
    )
    assert response.status_code in (200, 302)
    assert Enrollment.objects.filter(pk__in=[alpha.mentor.pk, beta.mentor.pk]).count() == 2


def test_a_superusers_action_reaches_every_cohort(client, alpha, beta, superuser, monkeypatch):
    asked: list[int] = []
    monkeypatch.setattr(
        "matching.admin.request_recompute", lambda cohort_ids: asked.extend(cohort_ids)
    )
    client.force_login(superuser)
    _post_action(client, "recompute_suggestions", alpha.cohort.pk, beta.cohort.pk)
    assert sorted(asked) == sorted([alpha.cohort.pk, beta.cohort.pk])


# --- The match-run review page and its buttons --------------------------------


def test_another_cohorts_run_pages_answer_404(client, alpha, beta):
    client.force_login(alpha.admin)
    run, pair = beta.run, beta.pair
    assert client.get(reverse("admin:matching_matchrun_change", args=[run.pk])).status_code == 404
    for name, args in (
        ("admin:matching_matchrun_publish", [run.pk]),
        ("admin:matching_matchrun_remove_pair", [run.pk, pair.pk]),
        ("admin:matching_matchrun_change_mentor", [run.pk, pair.pk]),
    ):
        url = reverse(name, args=args)
        assert client.get(url).status_code == 404
        response = client.post(url, {"mentor_enrollment": beta.mentor.pk})
        assert response.status_code == 404
    run.refresh_from_db()
    assert run.status == MatchRunStatus.DRAFT
    assert MatchRunPair.objects.filter(pk=pair.pk).exists()
    assert not Mentorship.objects.filter(match_pair__run=run).exists()


def test_a_pair_of_another_run_cannot_be_reached_through_an_own_run(client, alpha, beta):
    client.force_login(alpha.admin)
    url = reverse("admin:matching_matchrun_remove_pair", args=[alpha.run.pk, beta.pair.pk])
    assert client.post(url).status_code == 404
    assert MatchRunPair.objects.filter(pk=beta.pair.pk).exists()


def test_another_cohorts_mentor_cannot_be_picked_in_an_own_run(client, alpha, beta):
    client.force_login(alpha.admin)
    url = reverse("admin:matching_matchrun_change_mentor", args=[alpha.run.pk, alpha.pair.pk])
    response = client.post(url, {"mentor_enrollment": beta.mentor.pk}, follow=True)
    assert "Pick a mentor of this cohort." in response.content.decode()
    alpha.pair.refresh_from_db()
    assert alpha.pair.mentor_enrollment == alpha.mentor


def test_the_own_run_review_page_opens(client, alpha, beta):
    client.force_login(alpha.admin)
    response = client.get(reverse("admin:matching_matchrun_change", args=[alpha.run.pk]))
    assert response.status_code == 200
    _assert_nothing_of(beta, response.content.decode())


def test_the_services_refuse_another_cohorts_run(alpha, beta):
    with pytest.raises(PermissionDenied):
        runs.start_run(cohort=beta.cohort, mode="optimal", by=alpha.admin)
    with pytest.raises(PermissionDenied):
        runs.publish_run(run=beta.run, by=alpha.admin)
    with pytest.raises(PermissionDenied):
        runs.remove_pair(pair=beta.pair, by=alpha.admin)
    with pytest.raises(PermissionDenied):
        runs.change_mentor(pair=beta.pair, mentor_enrollment=beta.mentor, by=alpha.admin)
    assert MatchRun.objects.filter(cohort=beta.cohort).count() == 1
    assert MatchRunPair.objects.filter(pk=beta.pair.pk).exists()


def test_staff_outside_the_cohort_admins_cannot_run_it_even_in_the_group(alpha):
    outsider = UserFactory(is_staff=True)
    outsider.groups.add(Group.objects.get(name=PROGRAMME_ADMIN_GROUP))
    with pytest.raises(PermissionDenied):
        runs.start_run(cohort=alpha.cohort, mode="optimal", by=outsider)


# --- The cohort page: counts, inline, adding, admins ----------------------------


def test_the_cohort_list_counts_people_matches_requests_and_mentorships(client, alpha, beta):
    client.force_login(alpha.admin)
    response = client.get(reverse("admin:matching_cohort_changelist"))
    (cohort,) = response.context["cl"].result_list
    assert (cohort.mentor_count, cohort.mentee_count, cohort.matched_count) == (1, 2, 1)
    assert (cohort.pending_count, cohort.active_count) == (1, 1)
    assert cohort.matched_percent == 50
    assert "50%" in response.content.decode()


def test_the_cohort_list_filters_and_searches(client, alpha, beta, superuser):
    Cohort.objects.filter(pk=beta.cohort.pk).update(
        closed_at=timezone.now(), is_enrollment_open=False
    )
    client.force_login(superuser)
    url = reverse("admin:matching_cohort_changelist")
    both = {alpha.cohort.pk, beta.cohort.pk}
    assert _rows(client.get(url, {"closed": "yes"})) & both == {beta.cohort.pk}
    assert _rows(client.get(url, {"closed": "no"})) & both == {alpha.cohort.pk}
    open_ = client.get(url, {"is_enrollment_open__exact": "1"})
    assert _rows(open_) & both == {alpha.cohort.pk}
    assert _rows(client.get(url, {"q": "Beta"})) == {beta.cohort.pk}
    year = alpha.cohort.starts_on.year
    assert _rows(client.get(url, {"starts_on__year": year})) >= both


def test_the_cohort_list_costs_the_same_queries_for_2_or_10_cohorts(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:matching_cohort_changelist")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add_cohorts(n: int) -> None:
        for _ in range(n):
            cohort = CohortFactory()
            join(cohort, f"m{cohort.pk}@example.org", Role.MENTOR)
            join(cohort, f"e{cohort.pk}@example.org", Role.MENTEE)

    add_cohorts(2)
    two = queries()
    add_cohorts(8)
    assert queries() == two


def test_the_enrollment_list_shows_effective_capacity_load_and_status(client, alpha, beta):
    Enrollment.objects.filter(pk=alpha.mentor.pk).update(capacity_override=3)
    client.force_login(alpha.admin)
    url = reverse("admin:matching_enrollment_changelist")
    html = client.get(f"{url}?cohort={alpha.cohort.pk}&role__exact=mentor").content.decode()
    assert re.search(r'class="field-capacity">3</td>', html)
    assert re.search(r'class="field-load">1</td>', html)
    assert 'name="form-0-status"' in html
    _assert_nothing_of(beta, html)


def test_the_cohort_page_lists_no_enrollment_but_links_to_the_lists(client, alpha, beta):
    client.force_login(alpha.admin)
    html = client.get(reverse("admin:matching_cohort_change", args=[alpha.cohort.pk])).content
    html = html.decode()
    assert "enrollments-0" not in html
    enrollments = reverse("admin:matching_enrollment_changelist")
    assert f'href="{enrollments}?cohort={alpha.cohort.pk}&amp;role__exact=mentee"' in html
    _assert_nothing_of(beta, html)


def test_a_programme_admin_cannot_add_cohorts(client, alpha):
    client.force_login(alpha.admin)
    assert client.get(reverse("admin:matching_cohort_add")).status_code == 403
    response = client.post(reverse("admin:matching_cohort_add"), {"name": "Mine", "slug": "mine"})
    assert response.status_code == 403
    assert not Cohort.objects.filter(slug="mine").exists()


class _FormFields(HTMLParser):
    """The fields a browser would post back from a page's main form, unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        name = attr.get("name")
        if tag == "input" and name and attr.get("type") not in ("submit", "button"):
            checkable = attr.get("type") in ("checkbox", "radio")
            if checkable and "checked" not in attr:
                return
            self.data.setdefault(name, []).append(attr.get("value", "on" if checkable else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attr:
            self.data[self._select].append(attr.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                self.data[self._textarea][0] = self.data[self._textarea][0].lstrip("\n")
            self._textarea = None


def _form_data(html: str) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(html)
    return parser.data


def test_a_programme_admin_edits_their_cohort_but_not_its_admins(client, alpha, beta):
    client.force_login(alpha.admin)
    url = reverse("admin:matching_cohort_change", args=[alpha.cohort.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'name="admins"' not in html and 'name="is_default"' not in html
    data = _form_data(html)
    data.update({"description": ["Spring intake"], "admins": [beta.admin.pk], "is_default": ["on"]})
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    alpha.cohort.refresh_from_db()
    assert alpha.cohort.description == "Spring intake"
    assert list(alpha.cohort.admins.all()) == [alpha.admin]
    assert alpha.cohort.is_default is False


def test_a_superuser_chooses_cohort_admins_among_staff(client, alpha, beta, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:matching_cohort_change", args=[alpha.cohort.pk]))
    choices = page.context["adminform"].form.fields["admins"].queryset
    assert set(choices) == {alpha.admin, beta.admin, superuser}


# --- People: no list of every account ----------------------------------------


def test_the_user_autocomplete_is_closed_to_programme_admins(client, alpha, beta):
    client.force_login(alpha.admin)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "matching", "model_name": "enrollment", "field_name": "user", "term": "b"},
    )
    assert response.status_code == 403
    assert b"beta" not in response.content


def test_a_programme_admin_enrolls_people_only_through_invitations(client, alpha, superuser):
    newcomer = ProfileFactory(user__email="newcomer@example.org", enrolled=False).user
    client.force_login(alpha.admin)
    add = reverse("admin:matching_enrollment_add")
    assert client.get(add).status_code == 403
    fields = {"role": "mentee", "status": "active", "joined_at_0": "2025-01-01"}
    fields["joined_at_1"] = "10:00:00"
    posted = {**fields, "user": "newcomer@example.org", "cohort": alpha.cohort.pk}
    assert client.post(add, posted).status_code == 403
    assert not Enrollment.objects.filter(user=newcomer).exists()
    listing = client.get(reverse("admin:matching_enrollment_changelist")).content.decode()
    assert add not in listing
    # A superuser still can, picking the person from the autocomplete.
    client.force_login(superuser)
    assert client.get(add).status_code == 200


def test_a_person_field_knows_only_the_admins_own_people(alpha, beta, rf):
    from matching.admin import EnrollmentAdmin

    request = rf.get("/")
    request.user = alpha.admin
    field = EnrollmentAdmin(Enrollment, admin.site).formfield_for_foreignkey(
        Enrollment._meta.get_field("user"), request
    )
    ProfileFactory(user__email="elsewhere@example.org", enrolled=False)
    assert field.clean("mentee-alpha@example.org") == alpha.mentee.user
    errors = set()
    for address in ("mentee-beta@example.org", "elsewhere@example.org", "nobody@example.org"):
        with pytest.raises(ValidationError) as refused:
            field.clean(address)
        errors.add(tuple(refused.value.messages))
    # Someone in another cohort, someone in none and nobody at all look the same.
    assert errors == {
        ("Nobody in your programmes uses this email address. Invite the person instead.",)
    }


def test_an_enrollments_person_is_fixed_once_enrolled(client, alpha):
    client.force_login(alpha.admin)
    html = client.get(
        reverse("admin:matching_enrollment_change", args=[alpha.mentor.pk])
    ).content.decode()
    assert 'name="user"' not in html and "mentor-alpha@example.org" in html


def test_only_a_superuser_picks_a_person_to_enroll(client, alpha, superuser):
    client.force_login(alpha.admin)
    url = reverse("admin:matching_enrollment_add")
    assert client.get(url).status_code == 403
    client.force_login(superuser)
    assert "admin/autocomplete" in client.get(url).content.decode()


def test_weights_can_only_be_added_for_an_own_cohort(client, alpha, beta):
    client.force_login(alpha.admin)
    add = reverse("admin:matching_matchweights_add")
    html = client.get(add).content.decode()
    _assert_nothing_of(beta, html)
    data = {
        "cohort": beta.cohort.pk,
        "skills": 1,
        "goals": 0,
        "industry": 0,
        "experience": 0,
        "time_overlap": 0,
        "format": 0,
        "availability": 0,
        "broaden": 0,
        "experience_min_gap": 3,
        "experience_max_gap": 15,
    }
    assert client.post(add, data).status_code == 200
    assert MatchWeights.objects.filter(cohort=beta.cohort).count() == 1


def _view_on_site(obj: Any) -> str:
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("admin:view_on_site", args=[content_type.pk, obj.pk])


@pytest.mark.parametrize("row", ["goal", "mentorship", "meeting"])
def test_view_on_site_opens_own_rows_and_hides_another_cohorts(client, alpha, beta, row):
    client.force_login(alpha.admin)
    own = client.get(_view_on_site(getattr(alpha, row)))
    assert own.status_code == 302
    assert own["Location"].endswith(getattr(alpha, row).get_absolute_url())
    assert own["Location"].startswith(f"http://{Site.objects.get_current().domain}/")
    assert "example.com" not in own["Location"]
    # Another cohort's row answers exactly like a row that does not exist.
    other = client.get(_view_on_site(getattr(beta, row)))
    missing = client.get(
        reverse(
            "admin:view_on_site",
            args=[ContentType.objects.get_for_model(getattr(beta, row)).pk, 987654],
        )
    )
    assert other.status_code == missing.status_code == 404


def test_view_on_site_refuses_nonsense_and_unregistered_models(client, alpha, superuser):
    client.force_login(superuser)
    goal_type = ContentType.objects.get_for_model(alpha.goal)
    assert client.get(f"/admin/r/{goal_type.pk}/not-a-number/").status_code == 404
    assert client.get("/admin/r/987654/1/").status_code == 404
    session_type = ContentType.objects.get(app_label="sessions", model="session")
    assert client.get(f"/admin/r/{session_type.pk}/x/").status_code == 404
    # A superuser still reaches every cohort's rows.
    assert client.get(_view_on_site(alpha.goal)).status_code == 302


def test_view_on_site_needs_a_staff_login(client, alpha):
    response = client.get(_view_on_site(alpha.goal))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(alpha.mentee.user)
    response = client.get(_view_on_site(alpha.goal))
    assert response.status_code == 302 and "login" in response["Location"]
