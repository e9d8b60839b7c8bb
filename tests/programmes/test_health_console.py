"""Relationship health in the programme admin's console: fit answers and idle pairs on
the home and cohort pages, "needs attention" links listing exactly those rows, the
fit-check list scoped to the admin's cohorts, and the cohort report's numbers."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest

from goals.models import CheckAnswer, FitCheck
from matching.models import Cohort, Mentorship, MentorshipMessage, MentorshipStatus, Role
from programmes.reports import cohort_report, report_rows
from programmes.selectors import programme_health
from tests.factories import CohortFactory, make_programme_admin
from tests.programmes.cohort_builders import enroll, make_mentorship

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _answer(mentorship: Mentorship, answer: str) -> FitCheck:
    return FitCheck.objects.create(
        mentorship=mentorship,
        person=mentorship.mentee_enrollment.user,
        kind="fit",
        due_on=timezone.localdate(),
        answer=answer,
        answered_at=NOW,
    )


def _pair(cohort: Cohort, **kwargs: object) -> Mentorship:
    return make_mentorship(
        enroll(cohort, Role.MENTOR),
        enroll(cohort, Role.MENTEE),
        started_at=NOW - timedelta(days=90),
        **kwargs,  # type: ignore[arg-type]
    )


def _write(mentorship: Mentorship, days_ago: int) -> None:
    MentorshipMessage.objects.create(
        mentorship=mentorship,
        author=mentorship.mentee_enrollment.user,
        body="Hello",
        created_at=NOW - timedelta(days=days_ago),
    )


@pytest.fixture
def pairs() -> dict[str, Mentorship]:
    """Silent for 90 days (quiet and flagged); wrote 40 days ago (quiet only); wrote 2
    days ago but said "not a good fit"; ended after saying so."""
    cohort = CohortFactory(name="Autumn Leaders")
    silent, wrote_a_while, poor = _pair(cohort), _pair(cohort), _pair(cohort)
    ended = _pair(cohort, status=MentorshipStatus.ENDED_EARLY)
    _write(wrote_a_while, 40)
    _write(poor, 2)
    _answer(silent, CheckAnswer.GOING_WELL)
    _answer(wrote_a_while, CheckAnswer.NOT_SURE)
    _answer(poor, CheckAnswer.POOR_FIT)
    _answer(ended, CheckAnswer.POOR_FIT)
    return {"silent": silent, "wrote_a_while": wrote_a_while, "poor": poor, "ended": ended}


@pytest.fixture
def cohort(pairs: dict[str, Mentorship]) -> Cohort:
    return pairs["silent"].cohort


def test_the_health_numbers_count_fit_answers_and_idle_pairs(cohort: Cohort) -> None:
    [health] = programme_health([cohort])
    assert (health.fit_going_well, health.fit_not_sure, health.fit_poor) == (1, 1, 2)
    assert health.poor_fit_pairs == 1  # the ended pair is dealt with
    assert (health.quiet_mentorships, health.idle_flagged) == (2, 1)
    assert [item.text for item in health.attention][:3] == [
        "1 mentorship where someone said it is not a good fit",
        "1 mentorship idle for 60 days or more",
        "2 mentorships with no meeting or message in 30 days",
    ]


def test_the_attention_links_list_exactly_those_mentorships(
    client, cohort: Cohort, pairs: dict[str, Mentorship]
) -> None:
    client.force_login(make_programme_admin(cohort))
    [health] = programme_health([cohort])
    expected = {
        "not a good fit": {pairs["poor"].pk},
        "idle for 60 days": {pairs["silent"].pk},
        "no meeting or message": {pairs["silent"].pk, pairs["wrote_a_while"].pk},
    }
    for phrase, pks in expected.items():
        [item] = [i for i in health.attention if phrase in i.text]
        response = client.get(item.url)
        assert response.status_code == 200, item.url
        assert {m.pk for m in response.context["cl"].result_list} == pks, phrase


def test_the_home_and_cohort_pages_show_the_fit_answers(client, cohort: Cohort) -> None:
    client.force_login(make_programme_admin(cohort))
    for url in (reverse("admin:index"), reverse("admin:matching_cohort_change", args=[cohort.pk])):
        html = client.get(url).content.decode()
        assert "1 going well · 1 not sure · 2 not a good fit" in html, url
        assert "Idle 60 days or more" in html


def test_the_fit_check_list_shows_only_the_admins_cohorts(client, cohort: Cohort) -> None:
    other = CohortFactory()
    _answer(_pair(other), CheckAnswer.POOR_FIT)
    client.force_login(make_programme_admin(cohort))
    url = reverse("admin:goals_fitcheck_changelist") + "?answer__exact=poor_fit"
    response = client.get(url)
    assert response.status_code == 200
    assert {c.mentorship.cohort_id for c in response.context["cl"].result_list} == {cohort.pk}
    assert response.context["cl"].result_count == 2


def test_an_admin_of_another_cohort_sees_none_of_it(client, cohort: Cohort) -> None:
    client.force_login(make_programme_admin(CohortFactory()))
    response = client.get(reverse("admin:goals_fitcheck_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    response = client.get(reverse("admin:matching_mentorship_changelist") + "?fit=poor")
    assert response.context["cl"].result_count == 0


def test_fit_checks_are_read_only_in_the_admin(client, cohort: Cohort) -> None:
    client.force_login(make_programme_admin(cohort))
    check = FitCheck.objects.get(
        mentorship__cohort=cohort,
        answer=CheckAnswer.POOR_FIT,
        mentorship__status=MentorshipStatus.ACTIVE,
    )
    url = reverse("admin:goals_fitcheck_change", args=[check.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"answer": "going_well"}).status_code == 403
    check.refresh_from_db()
    assert check.answer == CheckAnswer.POOR_FIT


def test_the_cohort_report_counts_answers_and_idle_pairs(client, cohort: Cohort) -> None:
    report = cohort_report(cohort=cohort)
    assert report.health.answers == [
        ("Going well", 1, 0),
        ("Not sure yet", 1, 0),
        ("Not a good fit", 2, 0),
    ]
    assert report.health.idle_flagged == 1
    rows = report_rows(report)
    assert ("relationship health", "fit check: not a good fit", 2) in rows
    assert ("relationship health", "idle 60 days or more", 1) in rows
    client.force_login(make_programme_admin(cohort))
    html = client.get(reverse("admin:programmes_cohort_report", args=[cohort.pk])).content
    assert b"Relationship health" in html
