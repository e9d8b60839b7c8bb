"""Cohort-wide match runs: queued by an admin, reviewed as a draft, published exactly once."""

from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

import pytest

from core.outbox.models import OutboxEmail
from matching.models import MatchRun, MatchRunStatus, Mentorship, MentorshipStatus
from matching.services import accept_request, default_cohort, runs, send_request
from profiles.models import SkillKind
from profiles.services import SkillEntry, set_skills
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

MESSAGE = "I would love your help growing into a tech lead role over the next year, please."


def _people(mentees: int = 4, mentors: int = 2, capacity: int = 2):
    made = {"mentees": [], "mentors": []}
    for i in range(mentors):
        profile = ProfileFactory(
            wants_mentoring=False,
            wants_to_mentor=True,
            mentor_capacity=capacity,
            display_name=f"Mentor {i}",
        )
        set_skills(profile=profile, kind=SkillKind.EXPERTISE, entries=[SkillEntry("Python", 3)])
        made["mentors"].append(profile)
    for i in range(mentees):
        profile = ProfileFactory(wants_mentoring=True, display_name=f"Mentee {i}")
        set_skills(profile=profile, kind=SkillKind.LEARN, entries=[SkillEntry("Python", 2)])
        made["mentees"].append(profile)
    return made


@pytest.fixture
def programme_admin(db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "add_matchrun",
                "change_matchrun",
                "view_matchrun",
                "publish_matchrun",
                "view_cohort",
                "change_cohort",
            ]
        )
    )
    ProfileFactory(user=user, wants_to_mentor=True, wants_mentoring=False, enrolled=False)
    # Permissions say what; the cohort link says where.
    default_cohort().admins.add(user)
    return user


def _run(mode: str, by, django_capture_on_commit_callbacks) -> MatchRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.start_run(cohort=default_cohort(), mode=mode, by=by)
    run.refresh_from_db()
    return run


@pytest.mark.parametrize("mode", ["optimal", "stable"])
def test_a_run_makes_a_draft_with_pairs_reasons_and_metrics(
    mode, programme_admin, django_capture_on_commit_callbacks
):
    _people(mentees=4, mentors=2, capacity=2)
    run = _run(mode, programme_admin, django_capture_on_commit_callbacks)
    assert run.status == MatchRunStatus.DRAFT
    assert run.pairs.count() == 4
    metrics = run.metrics
    assert metrics["coverage"] == 1.0 and metrics["matched"] == 4
    assert metrics["blocking_pairs"] == 0 or mode == "optimal"
    for key in ("total_score", "min_score", "p10_score", "load_std", "price_of_stability"):
        assert key in metrics
    assert 0 < metrics["price_of_stability"] <= 1.0 + 1e-9
    pair = run.pairs.first()
    assert pair.reasons and 0 <= pair.score <= 1
    # Capacity is respected.
    loads = {}
    for p in run.pairs.all():
        loads[p.mentor_enrollment_id] = loads.get(p.mentor_enrollment_id, 0) + 1
    assert max(loads.values()) <= 2


@pytest.mark.parametrize("where", ["_solve", "write"])
def test_a_run_that_breaks_says_it_failed_and_keeps_nothing(
    where, programme_admin, django_capture_on_commit_callbacks, monkeypatch
):
    _people(mentees=4, mentors=2, capacity=2)

    def boom(*args, **kwargs):
        raise RuntimeError("the engine fell over")

    if where == "_solve":
        monkeypatch.setattr(runs, "_solve", boom)
    else:
        monkeypatch.setattr(runs.MatchRunUnmatched.objects, "bulk_create", boom)
    run = _run("optimal", programme_admin, django_capture_on_commit_callbacks)
    assert run.status == MatchRunStatus.FAILED
    assert "the engine fell over" in run.error
    assert not run.pairs.exists()


def test_a_failed_comparison_leaves_the_draft(
    programme_admin, django_capture_on_commit_callbacks, monkeypatch
):
    _people(mentees=4, mentors=2, capacity=2)

    def boom(*args, **kwargs):
        raise RuntimeError("no memory for the other mode")

    monkeypatch.setattr(runs, "_price_of_stability", boom)
    run = _run("optimal", programme_admin, django_capture_on_commit_callbacks)
    assert run.status == MatchRunStatus.DRAFT and run.pairs.count() == 4
    assert run.metrics["price_of_stability"] is None


def test_the_draft_is_there_before_the_other_mode_is_solved(
    programme_admin, django_capture_on_commit_callbacks, monkeypatch
):
    """The admin reviews the draft while what stability costs is still being worked out."""
    _people(mentees=4, mentors=2, capacity=2)
    seen = []
    real = runs._price_of_stability

    def watch(run_id, problem, *, chosen_total):
        run = MatchRun.objects.get(pk=run_id)
        seen.append((run.status, run.pairs.count(), "price_of_stability" in run.metrics))
        real(run_id, problem, chosen_total=chosen_total)

    monkeypatch.setattr(runs, "_price_of_stability", watch)
    run = _run("optimal", programme_admin, django_capture_on_commit_callbacks)
    assert seen == [(MatchRunStatus.DRAFT, 4, False)]
    assert 0 < run.metrics["price_of_stability"] <= 1.0 + 1e-9


def test_existing_mentorships_are_respected(programme_admin, django_capture_on_commit_callbacks):
    people = _people(mentees=3, mentors=1, capacity=2)
    mentor = people["mentors"][0]
    taken = people["mentees"][0]
    request = send_request(
        mentee=taken.user,
        mentor_enrollment=mentor.user.enrollments.get(role="mentor"),
        message=MESSAGE,
    )
    accept_request(request=request, by=mentor.user)
    run = _run("optimal", programme_admin, django_capture_on_commit_callbacks)
    matched = set(run.pairs.values_list("mentee_enrollment__user_id", flat=True))
    assert taken.user_id not in matched
    assert run.pairs.count() == 1  # one place left


def test_publish_creates_mentorships_and_sends_introductions_once(
    programme_admin, django_capture_on_commit_callbacks
):
    _people(mentees=2, mentors=1, capacity=2)
    run = _run("optimal", programme_admin, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        runs.publish_run(run=run, by=programme_admin)
    assert Mentorship.objects.filter(status=MentorshipStatus.ACTIVE).count() == 2
    intro_count = OutboxEmail.objects.filter(template="introduction").count()
    assert intro_count == 4
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = runs.publish_run(run=MatchRun.objects.get(pk=run.pk), by=programme_admin)
    assert again.status == MatchRunStatus.PUBLISHED
    assert Mentorship.objects.count() == 2
    assert OutboxEmail.objects.filter(template="introduction").count() == intro_count
    assert len(mail.outbox) == sent


def test_publish_skips_pairs_that_no_longer_fit(
    programme_admin, django_capture_on_commit_callbacks
):
    people = _people(mentees=2, mentors=1, capacity=2)
    run = _run("optimal", programme_admin, django_capture_on_commit_callbacks)
    mentor = people["mentors"][0]
    profile = mentor
    profile.mentor_capacity = 1
    profile.save()
    runs.publish_run(run=run, by=programme_admin)
    run.refresh_from_db()
    assert Mentorship.objects.count() == 1
    assert run.metrics["skipped"] == 1


def test_admin_can_remove_and_change_pairs_in_a_draft_only(
    programme_admin, django_capture_on_commit_callbacks
):
    people = _people(mentees=2, mentors=2, capacity=1)
    run = _run("optimal", programme_admin, django_capture_on_commit_callbacks)
    pair = run.pairs.first()
    other = next(
        m.user.enrollments.get(role="mentor")
        for m in people["mentors"]
        if m.user_id != pair.mentor_enrollment.user_id
    )
    with pytest.raises(ValidationError, match="no free place"):
        runs.change_mentor(pair=pair, mentor_enrollment=other, by=programme_admin)
    runs.remove_pair(pair=run.pairs.exclude(pk=pair.pk).get(), by=programme_admin)
    runs.change_mentor(pair=pair, mentor_enrollment=other, by=programme_admin)
    pair.refresh_from_db()
    assert pair.mentor_enrollment == other
    runs.publish_run(run=run, by=programme_admin)
    with pytest.raises(ValidationError, match="Only a draft"):
        runs.remove_pair(pair=pair, by=programme_admin)


def test_only_programme_admins_run_and_publish(programme_admin, django_capture_on_commit_callbacks):
    _people(mentees=1, mentors=1)
    staff_without_permission = UserFactory(is_staff=True)
    participant = ProfileFactory().user
    for user in (staff_without_permission, participant):
        with pytest.raises(PermissionDenied):
            runs.start_run(cohort=default_cohort(), mode="optimal", by=user)
    run = _run("optimal", programme_admin, django_capture_on_commit_callbacks)
    for user in (staff_without_permission, participant):
        with pytest.raises(PermissionDenied):
            runs.publish_run(run=run, by=user)
    assert MatchRun.objects.get(pk=run.pk).status == MatchRunStatus.DRAFT


def test_review_page_and_publish_button_in_the_admin(
    client, programme_admin, django_capture_on_commit_callbacks
):
    _people(mentees=2, mentors=1)
    client.force_login(programme_admin)
    changelist = reverse("admin:matching_cohort_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "run_stable", "_selected_action": [default_cohort().pk]}
        )
    assert response.status_code == 302
    run = MatchRun.objects.get()
    page = client.get(reverse("admin:matching_matchrun_change", args=[run.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Price of stability" in html and "Mentee 0" in html and "Publish 2 pairs" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:matching_matchrun_publish", args=[run.pk]))
        client.post(reverse("admin:matching_matchrun_publish", args=[run.pk]))
    assert Mentorship.objects.count() == 2
    assert OutboxEmail.objects.filter(template="introduction").count() == 4


def test_participants_cannot_reach_the_review_page(client, django_capture_on_commit_callbacks):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    _people(mentees=1, mentors=1)
    run = _run("optimal", admin_user, django_capture_on_commit_callbacks)
    participant = ProfileFactory().user
    client.force_login(participant)
    response = client.get(reverse("admin:matching_matchrun_change", args=[run.pk]))
    assert response.status_code == 302 and "login" in response.url
    client.post(reverse("admin:matching_matchrun_publish", args=[run.pk]))
    assert MatchRun.objects.get(pk=run.pk).status == MatchRunStatus.DRAFT


def test_a_run_whose_worker_stopped_is_marked_failed_after_an_hour(db):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    stuck = MatchRun.objects.create(
        cohort=default_cohort(),
        mode="optimal",
        status=MatchRunStatus.RUNNING,
        created_at=now - timedelta(hours=2),
    )
    recent = MatchRun.objects.create(
        cohort=default_cohort(),
        mode="optimal",
        status=MatchRunStatus.RUNNING,
        created_at=now - timedelta(minutes=5),
    )
    queued = MatchRun.objects.create(
        cohort=default_cohort(),
        mode="optimal",
        status=MatchRunStatus.QUEUED,
        created_at=now - timedelta(hours=2),
    )
    assert runs.fail_stuck_runs(now=now) == 1
    stuck.refresh_from_db(), recent.refresh_from_db(), queued.refresh_from_db()
    assert stuck.status == MatchRunStatus.FAILED and "Start the run again" in stuck.error
    assert recent.status == MatchRunStatus.RUNNING
    assert queued.status == MatchRunStatus.QUEUED
    assert runs.fail_stuck_runs(now=now) == 0
