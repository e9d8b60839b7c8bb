"""The busiest pages cost the same number of queries however much data is behind them.

Each test renders a page, adds more of everything the page shows (mentors, skills,
requests, goals, milestones, progress, comments, obstacles, meetings, notes...), renders it
again and expects exactly as many queries. A page that costs one query per row slows
down with every row; under the load test (loadtest/) that is what fails first.

Tests already elsewhere: the directory without filters (tests/matching/test_views.py),
the mentor dashboard with pending requests and the mentee dashboard with sent requests
(tests/matching/test_dashboard.py), the review board with more goals
(tests/goals/test_review_board.py), profile pages with more skills (tests/profiles).
"""

from datetime import timedelta
from typing import Any

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import User
from goals import services as goal_services
from goals.models import Goal, GoalStatus, Meeting, Milestone
from goals.services import meetings, obstacles
from matching import directory, services
from matching.models import Enrollment, Mentorship, Role, Suggestion
from profiles.models import Language, ProfileSkill, Skill, SkillKind
from tests.factories import REQUEST_MESSAGE, ProfileFactory, mentorship_between
from tests.goals.conftest import days, milestones_draft

pytestmark = pytest.mark.django_db


# --- People and what they do --------------------------------------------------------------


def _person(name: str, *, mentor: bool = False, **profile: Any) -> User:
    fields = {"wants_mentoring": not mentor, "wants_to_mentor": mentor, "display_name": name}
    return ProfileFactory(**(fields | profile)).user


def _mentor_enrollment(user: User) -> Enrollment:
    return Enrollment.objects.get(user=user, cohort=services.default_cohort(), role=Role.MENTOR)


def _mentee_enrollment(user: User) -> Enrollment:
    return Enrollment.objects.get(user=user, cohort=services.default_cohort(), role=Role.MENTEE)


def _ask(mentee: User, mentor: User) -> Any:
    return services.send_request(
        mentee=mentee, mentor_enrollment=_mentor_enrollment(mentor), message=REQUEST_MESSAGE
    )


def _rich_mentor(name: str, *, for_mentee: User, n: int) -> User:
    """A mentor with everything a directory card or mentor page shows: several skills
    and languages, a suggestion for ``for_mentee``, answered requests, a mentee."""
    mentor = _person(name, mentor=True, mentor_capacity=4, languages=["en", "de", "fr"])
    for skill in Skill.objects.exclude(name="Python").order_by("pk")[n % 5 : n % 5 + 3]:
        ProfileSkill.objects.create(
            profile=mentor.profile, skill=skill, kind=SkillKind.EXPERTISE, level=2
        )
    enrollment = _mentor_enrollment(mentor)
    Suggestion.objects.create(
        cohort=enrollment.cohort,
        mentee_enrollment=_mentee_enrollment(for_mentee),
        mentor_enrollment=enrollment,
        rank=n + 1,
        score=0.9 - n / 100,
        reasons=["Shares 1 of your 1 learning goals: Python", "4 more years in software"],
        weights_version=1,
    )
    declined = _person(f"Asker of {name}")
    services.decline_request(request=_ask(declined, mentor), by=mentor, reason="not_a_fit")
    mentorship_between(_person(f"Mentee of {name}"), mentor)
    return mentor


def _queries(client: Client, url: str) -> tuple[int, HttpResponse]:
    # The data each test adds between its two readings drops the directory's mentors
    # from memory (matching/directory.py): every reading starts without them.
    directory.forget()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response


def _same(before: int, after: int, response: HttpResponse) -> None:
    assert after == before, f"{response.wsgi_request.path}: {before} queries, then {after}"


# --- Every page a mentor opens: the navbar's badges ---------------------------------------


def test_mentor_badges_cost_the_same_for_one_and_many_waiting(client: Client) -> None:
    """Requests waiting for an answer and goals waiting for a review are counted, not
    listed: the navbar costs a mentor the same with one of each or a dozen."""
    mentor = _person("Badge Mentor", mentor=True, mentor_capacity=10)

    def wait(n: int) -> None:
        _ask(_person(f"Badge Asker {n}"), mentor)
        _goal(
            mentorship_between(_person(f"Badge Mentee {n}"), mentor),
            status=GoalStatus.SUBMITTED,
            title=f"Lead review {n}",
        )

    wait(0)
    client.force_login(mentor)
    url = reverse("profiles:detail")
    client.get(url)

    few, response = _queries(client, url)
    assert 'aria-label="1 waiting for your review"' in response.content.decode()
    for n in range(1, 6):
        wait(n)
    many, response = _queries(client, url)

    page = response.content.decode()
    assert 'aria-label="6 waiting for your answer"' in page
    assert 'aria-label="6 waiting for your review"' in page
    _same(few, many, response)


# --- The directory, filtered ---------------------------------------------------------------

FILTERS = [
    "skills={python}",
    "skills={python}&language={english}&free_only=on",
    "industry=software&sort=experience",
    "overlap=4&meeting_format=video",
    "q=python",
    "q=Mentor",
    "sort=recent&free_only=on",
    "language={english}",
    "page=2",
    # The shared-language filter unticked, and ticked by the form itself.
    "filtered=1",
    "filtered=1&shared_language=on&sort=experience",
]


@pytest.mark.parametrize("query", FILTERS)
def test_filtered_directory_does_not_grow_with_mentors(client: Client, query: str) -> None:
    mentee = _person("Searching Mentee", languages=["en"])
    ProfileSkill.objects.create(
        profile=mentee.profile, skill=Skill.objects.get(name="Python"), kind=SkillKind.LEARN
    )
    url = (
        reverse("matching:directory")
        + "?"
        + query.format(
            python=Skill.objects.get(name="Python").pk,
            english=Language.objects.get(code="en").pk,
        )
    )
    # Page 2 needs a first page full of mentors before it shows anyone.
    first = 13 if "page=" in query else 2
    for n in range(first):
        _rich_mentor(f"Mentor Early {n}", for_mentee=mentee, n=n)
    client.force_login(mentee)
    client.get(url)  # content types, session

    few, response = _queries(client, url)
    shown_before = response.content.decode().count("mentor-card")
    for n in range(first, first + 14):
        _rich_mentor(f"Mentor Later {n}", for_mentee=mentee, n=n)
    many, response = _queries(client, url)

    assert response.content.decode().count("mentor-card") > shown_before
    _same(few, many, response)


# The directory's cost, pinned: with its mentors in memory (matching/directory.py) and
# without. The shared-language filter and each card's language line read the viewer's
# languages in the query that reads their cohorts, so neither adds one (16 and 7 before
# they existed).
DIRECTORY_QUERIES_WARM = 7
DIRECTORY_QUERIES_COLD = 16


@pytest.mark.parametrize("query", ["", "filtered=1", "free_only=on&page=1"])
def test_directory_costs_a_fixed_number_of_queries(
    client: Client, query: str, django_capture_on_commit_callbacks: Any
) -> None:
    # Committed, as on the site: until then the directory reads the database and caches
    # nothing (matching/versions.py).
    with django_capture_on_commit_callbacks(execute=True):
        mentee = _person("Pinned Mentee", languages=["en"])
        for n in range(14):
            _rich_mentor(f"Pinned Mentor {n}", for_mentee=mentee, n=n)
        _person("Far Away Mentor", mentor=True, languages=["zh"])
    client.force_login(mentee)
    url = f"{reverse('matching:directory')}?{query}"
    client.get(url)  # content types, session

    cold, response = _queries(client, url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)

    assert "You both speak English" in response.content.decode()
    assert (cold, len(warm)) == (DIRECTORY_QUERIES_COLD, DIRECTORY_QUERIES_WARM), [
        q["sql"] for q in warm.captured_queries
    ]


# --- A mentor's page ----------------------------------------------------------------------


def test_mentor_page_costs_the_same_for_a_new_and_a_busy_mentor(client: Client) -> None:
    mentee = _person("Curious Mentee")
    newcomer = _person("New Mentor", mentor=True)
    busy = _rich_mentor("Busy Mentor", for_mentee=mentee, n=1)
    for n in range(4):
        services.decline_request(
            request=_ask(_person(f"Another Asker {n}"), busy), by=busy, reason="no_capacity"
        )
    mentorship_between(_person("Second Mentee of Busy"), busy)
    client.force_login(mentee)
    new_url = reverse("matching:mentor-detail", args=[_mentor_enrollment(newcomer).pk])
    busy_url = reverse("matching:mentor-detail", args=[_mentor_enrollment(busy).pk])
    client.get(new_url)

    few, _ = _queries(client, new_url)
    many, response = _queries(client, busy_url)

    assert "Usually replies within a day" in response.content.decode()
    _same(few, many, response)


# --- Dashboards of people in a mentorship ---------------------------------------------------


def _goal(mentorship: Mentorship, *, status: str, title: str, due: int = 60) -> Goal:
    """A milestones goal walked to ``status`` through the services, as people would."""
    mentee, mentor = mentorship.mentee, mentorship.mentor
    steps = [(f"Step {n} of {title}", days(due * n // 4)) for n in (1, 2, 3, 4)]
    goal = goal_services.save_goal(
        mentorship=mentorship,
        by=mentee,
        draft=milestones_draft(title=title, target_date=days(due), milestones=steps),
    )
    if status == GoalStatus.DRAFT:
        return goal
    goal = goal_services.submit_goal(goal=goal, by=mentee)
    if status == GoalStatus.IN_PROGRESS:
        goal = goal_services.review_goal(goal=goal, by=mentor, approve=True)
        goal = goal_services.start_goal(goal=goal, by=mentee)
    return goal


def _meeting(mentorship: Mentorship, *, in_days: float) -> Meeting:
    """A meeting ``in_days`` from now (negative: it happened), scheduled by the mentee."""
    meeting = meetings.schedule_meeting(
        mentorship=mentorship,
        by=mentorship.mentee,
        starts_at=timezone.now() + timedelta(days=abs(in_days) + 1),
        duration_minutes=45,
        format="video",
        agenda="Plan the quarter.",
    )
    if in_days < 0:
        # Scheduling refuses the past; a meeting that happened was scheduled back then.
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=timezone.now() + timedelta(days=in_days)
        )
        meeting.refresh_from_db()
    return meeting


def _busy_week(mentorship: Mentorship, n: int) -> None:
    """Goals due soon, a goal in review, meetings coming and action items open."""
    _goal(mentorship, status=GoalStatus.IN_PROGRESS, title=f"Ship release {n} this month", due=10)
    _goal(mentorship, status=GoalStatus.SUBMITTED, title=f"Lead design review {n}", due=40)
    _meeting(mentorship, in_days=2 + n)
    past = _meeting(mentorship, in_days=-3 - n)
    for owner in (mentorship.mentee, mentorship.mentor):
        meetings.add_action_item(
            meeting=past, by=owner, owner=owner, title=f"Send notes {n}", due_on=days(5)
        )


def test_mentee_dashboard_does_not_grow_with_goals_meetings_and_action_items(
    client: Client,
) -> None:
    mentorship = mentorship_between(_person("Busy Mentee"), _person("Their Mentor", mentor=True))
    _busy_week(mentorship, 0)
    client.force_login(mentorship.mentee)
    url = reverse("dashboard")
    client.get(url)

    few, _ = _queries(client, url)
    for n in range(1, 4):
        _busy_week(mentorship, n)
    many, response = _queries(client, url)

    assert "Ship release 3 this month" in response.content.decode()
    _same(few, many, response)


def test_mentor_dashboard_does_not_grow_with_mentees_reviews_and_meetings(
    client: Client,
) -> None:
    mentor = _person("Busy Mentor", mentor=True, mentor_capacity=6)
    _busy_week(mentorship_between(_person("First Mentee"), mentor), 0)
    client.force_login(mentor)
    url = reverse("dashboard")
    client.get(url)

    few, _ = _queries(client, url)
    for n in range(1, 4):
        mentorship = mentorship_between(_person(f"Mentee Number {n}"), mentor)
        _busy_week(mentorship, n)
        services.introduce(
            mentorship=mentorship,
            by=mentor,
            contact_email=_person(f"Contact {n}").email,
            message="You two should talk about conference talks.",
        )
    _ask(_person("Waiting Mentee"), mentor)
    many, response = _queries(client, url)

    assert "Mentee Number 3" in response.content.decode()
    _same(few, many, response)


# --- A goal, a meeting, a mentorship -------------------------------------------------------


def _grow_goal(goal: Goal, n: int) -> None:
    """What a goal collects over weeks: milestones done, progress, comments, obstacles."""
    mentee, mentor = goal.mentorship.mentee, goal.mentorship.mentor
    Milestone.objects.create(goal=goal, position=10 + n, title=f"Extra step {n}", due_on=days(30))
    first_open = goal.milestones.filter(done_at__isnull=True).order_by("position").first()
    goal_services.log_progress(
        goal=goal, by=mentee, milestone_ids=[first_open.pk], note=f"Step {n} done."
    )
    goal_services.comment_on_goal(goal=goal, by=mentee, body=f"Question {n} for you.")
    goal_services.comment_on_goal(goal=goal, by=mentor, body=f"Answer {n}.")
    obstacle = obstacles.flag_obstacle(
        goal=goal, by=mentee, category="time", description=f"Busy week number {n}."
    )
    obstacles.advise_on_obstacle(obstacle=obstacle, by=mentor, advice="Block two mornings.")
    if n % 2:
        obstacles.resolve_obstacle(obstacle=obstacle, by=mentee, resolution="Mornings worked.")


@pytest.mark.parametrize("viewer", ["mentee", "mentor"])
def test_goal_page_does_not_grow_with_its_history(client: Client, viewer: str) -> None:
    mentorship = mentorship_between(_person("Goal Mentee"), _person("Goal Mentor", mentor=True))
    goal = _goal(mentorship, status=GoalStatus.IN_PROGRESS, title="Ship a Django REST API")
    _grow_goal(goal, 0)
    client.force_login(getattr(mentorship, viewer))
    url = reverse("goals:detail", args=[goal.pk])
    client.get(url)

    few, _ = _queries(client, url)
    for n in range(1, 5):
        _grow_goal(goal, n)
    many, response = _queries(client, url)

    assert "Busy week number 4." in response.content.decode()
    _same(few, many, response)


def test_review_board_does_not_grow_with_mentees_under_way(client: Client) -> None:
    """Goals under way show their pace, which reads milestones: still no query per goal."""
    mentor = _person("Board Mentor", mentor=True, mentor_capacity=6)
    first = mentorship_between(_person("Board Mentee 0"), mentor)
    _grow_goal(_goal(first, status=GoalStatus.IN_PROGRESS, title="Goal under way 0"), 0)
    client.force_login(mentor)
    url = reverse("goals:review-board")
    client.get(url)

    few, _ = _queries(client, url)
    for n in range(1, 4):
        mentorship = mentorship_between(_person(f"Board Mentee {n}"), mentor)
        _grow_goal(_goal(mentorship, status=GoalStatus.IN_PROGRESS, title=f"Under way {n}"), n)
        waiting = _goal(mentorship, status=GoalStatus.SUBMITTED, title=f"Waiting for you {n}")
        # Review feedback shows among the comments: it must not cost a query per goal.
        goal_services.review_goal(
            goal=waiting, by=mentor, approve=False, comment=f"Name the teams, {n}."
        )
    many, response = _queries(client, url)

    assert "Waiting for you 3" in response.content.decode()
    assert "Name the teams, 3." in response.content.decode()
    _same(few, many, response)


def _follow_up(meeting: Meeting, n: int) -> None:
    mentorship = meeting.mentorship
    goal = mentorship.goals.first()
    for person in (mentorship.mentee, mentorship.mentor):
        meetings.add_note(meeting=meeting, by=person, body=f"Shared note {n}.")
        meetings.add_note(meeting=meeting, by=person, body=f"Private {n}.", is_private=True)
        meetings.add_action_item(
            meeting=meeting,
            by=person,
            owner=person,
            title=f"Action {n} of {person.profile.display_name}",
            due_on=days(7),
            goal=goal,
        )


@pytest.mark.parametrize("viewer", ["mentee", "mentor"])
def test_meeting_page_does_not_grow_with_notes_and_action_items(
    client: Client, viewer: str
) -> None:
    mentorship = mentorship_between(
        _person("Meeting Mentee"), _person("Meeting Mentor", mentor=True)
    )
    _goal(mentorship, status=GoalStatus.IN_PROGRESS, title="A goal to work towards")
    meeting = _meeting(mentorship, in_days=-1)
    _follow_up(meeting, 0)
    client.force_login(getattr(mentorship, viewer))
    url = reverse("goals:meeting-detail", args=[meeting.pk])
    client.get(url)

    few, _ = _queries(client, url)
    for n in range(1, 5):
        _follow_up(meeting, n)
    many, response = _queries(client, url)

    assert "Shared note 4." in response.content.decode()
    _same(few, many, response)


@pytest.mark.parametrize("viewer", ["mentee", "mentor"])
def test_mentorship_page_does_not_grow_with_goals_messages_and_introductions(
    client: Client, viewer: str
) -> None:
    mentorship = mentorship_between(_person("Pair Mentee"), _person("Pair Mentor", mentor=True))

    def grow(n: int) -> None:
        _goal(mentorship, status=GoalStatus.SUBMITTED, title=f"Pair goal number {n}")
        for person in (mentorship.mentee, mentorship.mentor):
            services.post_mentorship_message(
                mentorship=mentorship, author=person, body=f"Message {n}"
            )
        services.introduce(
            mentorship=mentorship,
            by=mentorship.mentor,
            contact_email=_person(f"Introduced {n}").email,
            message="Meet: you both care about public speaking.",
        )
        _meeting(mentorship, in_days=3 + n)
        # Follow-through: past meetings with open action items of both sides.
        past = _meeting(mentorship, in_days=-1 - n)
        for person in (mentorship.mentee, mentorship.mentor):
            meetings.add_action_item(
                meeting=past, by=person, owner=person, title=f"Follow up {n}", due_on=days(4)
            )

    grow(0)
    client.force_login(getattr(mentorship, viewer))
    url = reverse("matching:mentorship-detail", args=[mentorship.pk])
    client.get(url)

    few, _ = _queries(client, url)
    for n in range(1, 5):
        grow(n)
    many, response = _queries(client, url)

    assert "Pair goal number 4" in response.content.decode()
    assert "Follow up 4" in response.content.decode()
    assert "Before the mentorship started" in response.content.decode()
    _same(few, many, response)


def test_requests_page_does_not_grow_with_requests(client: Client) -> None:
    mentor = _person("Asked Mentor", mentor=True, mentor_capacity=10)

    def grow(n: int) -> None:
        _ask(_person(f"Pending Asker {n}"), mentor)
        services.decline_request(
            request=_ask(_person(f"Declined Asker {n}"), mentor), by=mentor, reason="not_a_fit"
        )

    grow(0)
    client.force_login(mentor)
    url = reverse("matching:requests")
    client.get(url)

    few, _ = _queries(client, url)
    for n in range(1, 6):
        grow(n)
    many, response = _queries(client, url)

    assert "Pending Asker 5" in response.content.decode()
    _same(few, many, response)
