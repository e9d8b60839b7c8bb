"""The goal form's milestone rows, the career goals beside "Relevant", and admin reads."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest
from allauth.mfa.models import Authenticator

from goals.models import Goal, GoalStatus
from matching.models import Cohort
from tests.factories import site_programme_admin
from tests.goals.conftest import days, goal_form_data, milestones_draft

pytestmark = pytest.mark.django_db


def test_milestones_are_saved_with_their_due_dates_in_order(client, mentorship, mentee):
    client.force_login(mentee)
    response = client.post(reverse("goals:create", args=[mentorship.pk]), goal_form_data())
    goal = Goal.objects.get()
    assert response.status_code == 302 and response.url == goal.get_absolute_url()
    assert list(goal.milestones.values_list("title", "due_on")) == [
        ("Outline the talk", days(10)),
        ("Rehearse with my mentor", days(30)),
        ("Give the talk", None),
    ]


def test_a_bad_milestone_date_is_explained_and_every_row_is_kept(client, mentorship, mentee):
    client.force_login(mentee)
    response = client.post(
        reverse("goals:create", args=[mentorship.pk]),
        goal_form_data(**{"milestones-1-due": "31/02"}),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Milestone 2: enter the due date as YYYY-MM-DD." in html
    assert 'value="Rehearse with my mentor"' in html and 'value="Outline the talk"' in html
    assert f'value="{days(10).isoformat()}"' in html
    assert not Goal.objects.exists()


def test_a_milestone_due_after_the_goal_is_refused(client, mentorship, mentee):
    client.force_login(mentee)
    late = (timezone.localdate() + timedelta(days=90)).isoformat()
    response = client.post(
        reverse("goals:create", args=[mentorship.pk]),
        goal_form_data(**{"milestones-2-due": late, "intent": "submit"}),
    )
    assert "is due after the goal&#x27;s target date" in response.content.decode()
    assert not Goal.objects.exists()


def test_a_date_without_a_title_is_refused(client, mentorship, mentee):
    client.force_login(mentee)
    response = client.post(
        reverse("goals:create", args=[mentorship.pk]),
        goal_form_data(**{"milestones-3-title": "", "milestones-3-due": days(40).isoformat()}),
    )
    assert "Milestone 4 has a date but no title." in response.content.decode()
    assert not Goal.objects.exists()


def test_one_milestone_per_line_still_works(client, mentorship, mentee):
    data = {k: v for k, v in goal_form_data().items() if not k.startswith("milestones-")}
    data["milestones"] = "Outline\nRehearse\n\nGive the talk"
    client.force_login(mentee)
    client.post(reverse("goals:create", args=[mentorship.pk]), data)
    assert list(Goal.objects.get().milestones.values_list("title", flat=True)) == [
        "Outline",
        "Rehearse",
        "Give the talk",
    ]


def test_the_edit_page_shows_the_rows_with_dates_and_spare_rows(client, make_goal, mentee):
    goal = make_goal(draft=milestones_draft())
    client.force_login(mentee)
    html = client.get(reverse("goals:edit", args=[goal.pk])).content.decode()
    assert 'value="Design the data model"' in html
    assert f'value="{days(50).isoformat()}"' in html
    # Four milestones and two empty rows to add more.
    assert 'name="milestones-5-title"' in html and 'name="milestones-6-title"' not in html


def test_the_form_shows_the_career_goals_it_should_serve(client, mentorship, mentee):
    mentee.profile.career_goals = "Lead a platform team within two years."
    mentee.profile.target_role = "Engineering manager"
    mentee.profile.save()
    client.force_login(mentee)
    html = client.get(reverse("goals:create", args=[mentorship.pk])).content.decode()
    assert "Lead a platform team within two years." in html
    assert "towards Engineering manager" in html


def test_a_cohort_admin_reads_the_goal_but_cannot_review_or_comment(client, make_goal):
    goal = make_goal(GoalStatus.SUBMITTED)
    admin = site_programme_admin(goal.mentorship.cohort)
    client.force_login(admin)
    page = client.get(reverse("goals:detail", args=[goal.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and goal.title in html
    assert reverse("goals:review", args=[goal.pk]) not in html
    assert reverse("goals:comment", args=[goal.pk]) not in html
    refused = client.post(reverse("goals:review", args=[goal.pk]), {"decision": "approve"})
    assert refused.status_code == 403
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.SUBMITTED


def test_an_admin_of_another_cohort_gets_404(client, make_goal):
    goal = make_goal()
    admin = site_programme_admin(Cohort.objects.create(name="Elsewhere", slug="elsewhere"))
    client.force_login(admin)
    assert client.get(reverse("goals:detail", args=[goal.pk])).status_code == 404


@pytest.mark.parametrize("taken_away", ["staff", "group", "active", "second factor"])
def test_a_programme_admin_no_longer_one_reads_nothing_though_still_listed(
    client, make_goal, taken_away
):
    goal = make_goal(GoalStatus.SUBMITTED)
    admin = site_programme_admin(goal.mentorship.cohort)
    client.force_login(admin)
    urls = [
        reverse("goals:detail", args=[goal.pk]),
        reverse("goals:edit", args=[goal.pk]),
        reverse("goals:meeting-list", args=[goal.mentorship.pk]),
    ]
    assert client.get(urls[0]).status_code == 200
    assert client.get(urls[2]).status_code == 200

    if taken_away == "staff":
        admin.is_staff = False
        admin.save()
    elif taken_away == "group":
        admin.groups.clear()
    elif taken_away == "second factor":
        Authenticator.objects.filter(user=admin).delete()
    else:
        admin.is_active = False
        admin.save()
        client.force_login(admin)  # an inactive account cannot keep a session
    assert goal.mentorship.cohort.admins.filter(pk=admin.pk).exists()
    for url in urls:
        assert client.get(url).status_code in (302, 404), url
    if taken_away != "active":
        assert client.get(urls[0]).status_code == 404
