"""A person downloads all their data, or deletes their account.

The cast: Alice (mentee of Bob, and a mentor herself), Bob (her mentor), Carol (another
mentee of Bob, a stranger to Alice), Dave (a mentor Alice has a pending request with) and
Frank (a mentee waiting for Alice's answer).
"""

import json
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount

from accounts.models import User
from core.outbox.models import OutboxEmail
from goals.models import (
    ActionItem,
    FitCheck,
    Goal,
    GoalComment,
    GoalEvent,
    GoalStatus,
    Meeting,
    MeetingNote,
    MeetingStatus,
    Milestone,
    Obstacle,
    ProgressUpdate,
)
from goals.services.meetings import cancel_meeting
from matching.models import (
    AuditAction,
    AuditEntry,
    Enrollment,
    EnrollmentStatus,
    Introduction,
    Mentorship,
    MentorshipFeedback,
    MentorshipMessage,
    MentorshipRequest,
    MentorshipStatus,
    RequestMessage,
    RequestStatus,
)
from matching.services import accept_request, default_cohort, end_mentorship, send_request
from privacy.services import (
    DELETED,
    FORMER_MEMBER,
    delete_account,
    deleted_email,
    export_data,
)
from programmes.models import Invitation, SurveyResponse
from tests.factories import PASSWORD, REQUEST_MESSAGE, ProfileFactory, mentorship_between

pytestmark = pytest.mark.django_db


@dataclass
class World:
    alice: User
    bob: User
    carol: User
    dave: User
    frank: User
    mentorship: Mentorship
    goal: Goal
    past_meeting: Meeting
    next_meeting: Meeting


def _goal(mentorship: Mentorship, title: str) -> Goal:
    goal = Goal.objects.create(
        mentorship=mentorship,
        title=title,
        outcome=f"{title}: the outcome",
        measure="milestones",
        plan=f"{title}: the plan",
        relevance=f"{title}: why it matters",
        target_date=timezone.localdate() + timedelta(days=60),
        status=GoalStatus.IN_PROGRESS,
    )
    Milestone.objects.create(goal=goal, position=1, title=f"{title}: first step")
    Milestone.objects.create(
        goal=goal, position=2, title=f"{title}: second step", done_at=timezone.now()
    )
    return goal


def _add_goal_history(goal: Goal, mentee: User, mentor: User, tag: str) -> None:
    GoalEvent.objects.create(
        goal=goal, actor=mentor, from_status="submitted", to_status="approved", comment=tag + "-R"
    )
    ProgressUpdate.objects.create(goal=goal, author=mentee, percent=50, note=tag + "-P")
    GoalComment.objects.create(goal=goal, author=mentee, body=tag + "-MENTEE-COMMENT")
    GoalComment.objects.create(goal=goal, author=mentor, body=tag + "-MENTOR-COMMENT")
    Obstacle.objects.create(
        goal=goal,
        raised_by=mentee,
        category="time",
        description=tag + "-BLOCKER",
        advice=tag + "-ADVICE",
        advised_by=mentor,
        advised_at=timezone.now(),
    )


def _add_meeting(mentorship: Mentorship, by: User, other: User, tag: str, days: int) -> Meeting:
    meeting = Meeting.objects.create(
        mentorship=mentorship,
        scheduled_by=by,
        starts_at=timezone.now() + timedelta(days=days),
        format="video",
        location="https://meet.example.org/" + tag,
        agenda=tag + "-AGENDA",
    )
    if days < 0:
        MeetingNote.objects.create(
            meeting=meeting, author=by, body=tag + "-MY-PRIVATE", is_private=True
        )
        MeetingNote.objects.create(meeting=meeting, author=by, body=tag + "-MY-SHARED")
        MeetingNote.objects.create(
            meeting=meeting, author=other, body=tag + "-THEIR-PRIVATE", is_private=True
        )
        MeetingNote.objects.create(meeting=meeting, author=other, body=tag + "-THEIR-SHARED")
        ActionItem.objects.create(meeting=meeting, owner=by, title=tag + "-TODO", created_by=by)
    return meeting


@pytest.fixture
def world() -> World:
    alice = ProfileFactory(
        wants_mentoring=True,
        wants_to_mentor=True,
        display_name="Alice Archer",
        bio="ALICE-BIO",
        linkedin_url="https://www.linkedin.com/in/alice",
    ).user
    bob = ProfileFactory(wants_mentoring=False, wants_to_mentor=True, display_name="Bob B").user
    carol = ProfileFactory(display_name="Carol C").user
    dave = ProfileFactory(wants_mentoring=False, wants_to_mentor=True, display_name="Dave D").user
    frank = ProfileFactory(display_name="Frank F").user
    cohort = default_cohort()

    mentorship = mentorship_between(alice, bob)
    MentorshipMessage.objects.create(mentorship=mentorship, author=alice, body="ALICE-SAYS")
    MentorshipMessage.objects.create(mentorship=mentorship, author=bob, body="BOB-SAYS")
    goal = _goal(mentorship, "Speak at a conference")
    _add_goal_history(goal, alice, bob, "ALICE")
    past = _add_meeting(mentorship, alice, bob, "ALICE", days=-2)
    upcoming = _add_meeting(mentorship, alice, bob, "NEXT", days=3)

    # Carol's mentorship with Bob is no business of Alice's.
    carols = mentorship_between(carol, bob)
    MentorshipMessage.objects.create(mentorship=carols, author=carol, body="CAROL-SAYS")
    _add_goal_history(_goal(carols, "Carol's goal"), carol, bob, "CAROL")
    _add_meeting(carols, carol, bob, "CAROL", days=-1)

    # Alice asked Dave too, before Bob accepted; and Frank is waiting for Alice.
    to_dave = MentorshipRequest.objects.create(
        cohort=cohort,
        mentee_enrollment=alice.enrollments.get(role="mentee"),
        mentor_enrollment=dave.enrollments.get(role="mentor"),
        message="ALICE-ASKS-DAVE " + REQUEST_MESSAGE,
    )
    RequestMessage.objects.create(request=to_dave, author=alice, body="ALICE-FOLLOW-UP")
    send_request(
        mentee=frank,
        mentor_enrollment=alice.enrollments.get(role="mentor"),
        message="FRANK-ASKS-ALICE " + REQUEST_MESSAGE,
    )

    SurveyResponse.objects.create(
        cohort=cohort,
        user=alice,
        role="mentee",
        kind="midpoint",
        answered_at=timezone.now(),
        satisfaction=4,
        recommend=9,
        goal_progress=2,
        comments="ALICE-SURVEY",
    )
    FitCheck.objects.create(
        mentorship=mentorship,
        person=alice,
        kind="fit",
        due_on=timezone.localdate(),
        answer="not_sure",
        comment="ALICE-FIT",
        answered_at=timezone.now(),
    )
    Invitation.objects.create(cohort=cohort, email=alice.email, name="Alice Archer", role="mentee")
    Authenticator.objects.create(user=alice, type="totp", data={"secret": "TOTP-SECRET"})
    return World(alice, bob, carol, dave, frank, mentorship, goal, past, upcoming)


# --- Export ------------------------------------------------------------------


def test_export_holds_their_data_grouped_by_area(world):
    data = export_data(user=world.alice)
    text = json.dumps(data)  # plain JSON types only

    assert data["account"]["email"] == world.alice.email
    assert data["account"]["two_factor"][0]["type"] == "totp"
    assert data["profile"]["bio"] == "ALICE-BIO"
    assert data["profile"]["languages"] == ["English"]
    assert {s["skill"] for s in data["skills"]} == {"Python", "Public speaking"}
    assert {(e["role"], e["status"]) for e in data["enrollments"]} == {
        ("mentee", "active"),
        ("mentor", "active"),
    }
    [to_dave] = [r for r in data["requests_sent"] if r["to"] == "Dave D"]
    assert to_dave["messages"] == [
        {
            "from": "me",
            "body": "ALICE-FOLLOW-UP",
            "created_at": to_dave["messages"][0]["created_at"],
        }
    ]
    assert data["requests_received"][0]["from"] == "Frank F"

    [mentorship] = [m for m in data["mentorships"] if m["my_role"] == "mentee"]
    assert mentorship["counterpart"] == {"name": "Bob B", "email": world.bob.email}
    assert [m["body"] for m in mentorship["messages"]] == ["ALICE-SAYS", "BOB-SAYS"]

    [goal] = data["goals"]
    assert goal["title"] == "Speak at a conference"
    assert goal["progress_percent"] == 50
    assert [m["title"] for m in goal["milestones"]] == [
        "Speak at a conference: first step",
        "Speak at a conference: second step",
    ]
    assert goal["events"][0] == {**goal["events"][0], "by": "Bob B", "comment": "ALICE-R"}
    assert goal["progress_updates"][0]["by"] == "me"
    assert [c["body"] for c in goal["comments"]] == ["ALICE-MENTEE-COMMENT", "ALICE-MENTOR-COMMENT"]
    assert goal["obstacles"][0]["description"] == "ALICE-BLOCKER"

    meeting = next(m for m in data["meetings"] if m["id"] == world.past_meeting.pk)
    assert meeting["starts_at"] == world.past_meeting.starts_at.isoformat()
    notes = {n["body"] for n in meeting["notes"]}
    assert notes == {"ALICE-MY-PRIVATE", "ALICE-MY-SHARED", "ALICE-THEIR-SHARED"}
    assert data["action_items"][0]["title"] == "ALICE-TODO"
    assert data["survey_responses"][0]["comments"] == "ALICE-SURVEY"
    assert data["invitations"][0]["email"] == world.alice.email

    # Never: Bob's private note, secrets, strangers, or emails of people met in passing.
    for absent in ("ALICE-THEIR-PRIVATE", "TOTP-SECRET", "CAROL", world.carol.email):
        assert absent not in text
    for absent in (world.dave.email, world.frank.email):
        assert absent not in text


def test_a_mentor_gets_what_they_wrote_on_their_mentees_goals_but_not_private_notes(world):
    data = export_data(user=world.bob)
    text = json.dumps(data)

    assert data["goals"] == []  # goals belong to mentees
    written = data["written_on_others_goals"]
    assert {c["body"] for c in written["comments"]} == {
        "ALICE-MENTOR-COMMENT",
        "CAROL-MENTOR-COMMENT",
    }
    assert {a["advice"] for a in written["obstacle_advice"]} == {"ALICE-ADVICE", "CAROL-ADVICE"}
    assert "ALICE-THEIR-PRIVATE" in text  # Bob's own private note
    assert "ALICE-MY-PRIVATE" not in text  # Alice's private note
    assert "CAROL-MY-PRIVATE" not in text


def _queries_for_export(user: User) -> int:
    with CaptureQueriesContext(connection) as queries:
        export_data(user=user)
    return len(queries)


def test_export_costs_the_same_number_of_queries_however_much_data(world):
    before = _queries_for_export(world.alice)
    assert before <= 30

    for n in range(3):
        _add_goal_history(_goal(world.mentorship, f"More {n}"), world.alice, world.bob, f"M{n}")
        _add_meeting(world.mentorship, world.alice, world.bob, f"M{n}", days=-5 - n)
        MentorshipMessage.objects.create(
            mentorship=world.mentorship, author=world.bob, body=f"more {n}"
        )

    # Alice mentors Frank for a while, introduces him to Dave, and it ends.
    frank_asks = MentorshipRequest.objects.get(mentee_enrollment__user=world.frank)
    as_mentor = accept_request(request=frank_asks, by=world.alice)
    Introduction.objects.create(mentorship=as_mentor, contact=world.dave, message="Meet Dave")
    cancel_meeting(
        meeting=_add_meeting(as_mentor, world.frank, world.alice, "F", days=4), by=world.alice
    )
    end_mentorship(mentorship=as_mentor, by=world.alice, outcome=MentorshipStatus.COMPLETED)

    assert _queries_for_export(world.alice) == before


def test_download_is_a_dated_json_attachment(client, world):
    client.force_login(world.alice)

    response = client.get(reverse("privacy-download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="mentorship-data-{today}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["account"]["email"] == world.alice.email
    entry = AuditEntry.objects.get(action=AuditAction.DATA_EXPORTED)
    assert (entry.actor, entry.cohort, entry.summary) == (
        world.alice,
        None,
        "Downloaded their own data",
    )


def test_the_data_page_offers_the_download_and_the_profile_links_to_it(client, world):
    client.force_login(world.alice)

    page = client.get(reverse("privacy-data")).content.decode()
    profile = client.get(reverse("profiles:detail")).content.decode()

    assert reverse("privacy-download") in page
    assert reverse("privacy-data") in profile
    assert reverse("privacy-delete") in profile


@pytest.mark.parametrize("name", ["privacy-data", "privacy-download", "privacy-delete"])
def test_anonymous_visitors_are_sent_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_delete_post_from_an_anonymous_visitor_deletes_nothing(client, world):
    response = client.post(reverse("privacy-delete"), {"password": PASSWORD, "confirm": "DELETE"})

    assert response.url.startswith(reverse("account_login"))
    assert User.objects.get(pk=world.alice.pk).is_active


@pytest.mark.parametrize("name", ["privacy-data", "privacy-download", "privacy-delete"])
def test_someone_who_has_not_finished_onboarding_can_reach_their_data(client, newcomer, name):
    client.force_login(newcomer)

    response = client.get(reverse(name))

    assert response.status_code == 200


def test_a_newcomer_without_a_profile_exports_and_deletes(newcomer):
    assert export_data(user=newcomer)["profile"] is None

    delete_account(user=newcomer)

    newcomer.refresh_from_db()
    assert not newcomer.is_active


# --- Deletion through the page ------------------------------------------------


def test_a_wrong_password_is_refused_and_nothing_changes(client, world):
    client.force_login(world.alice)
    emails_before = OutboxEmail.objects.count()

    response = client.post(
        reverse("privacy-delete"), {"password": "not-my-password", "confirm": "DELETE"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"password": ["That isn't your current password."]}
    assert "That isn&#x27;t your current password." in response.content.decode()
    alice = User.objects.get(pk=world.alice.pk)
    assert alice.is_active
    assert alice.email == world.alice.email
    assert alice.check_password(PASSWORD)
    assert Mentorship.objects.get(pk=world.mentorship.pk).status == MentorshipStatus.ACTIVE
    assert OutboxEmail.objects.count() == emails_before
    assert client.get(reverse("dashboard")).status_code == 200  # still signed in


def test_deleting_needs_the_confirmation_word(client, world):
    client.force_login(world.alice)

    response = client.post(reverse("privacy-delete"), {"password": PASSWORD, "confirm": "yes"})

    assert list(response.context["form"].errors) == ["confirm"]
    assert User.objects.get(pk=world.alice.pk).is_active


def test_deleting_signs_out_everywhere_and_the_account_is_gone(client, world):
    other_device = Client()
    other_device.force_login(world.alice)
    client.force_login(world.alice)
    old_email = world.alice.email

    response = client.post(
        reverse("privacy-delete"), {"password": PASSWORD, "confirm": "delete"}, follow=True
    )

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Your account is deleted." in response.content.decode()
    assert client.get(reverse("dashboard")).url.startswith(reverse("account_login"))
    assert other_device.get(reverse("dashboard")).url.startswith(reverse("account_login"))
    alice = User.objects.get(pk=world.alice.pk)
    assert alice.email == f"deleted-{alice.pk}@deleted.invalid"
    assert not alice.is_active
    assert not alice.has_usable_password()
    assert not client.login(email=old_email, password=PASSWORD)
    assert not EmailAddress.objects.filter(user=alice).exists()
    assert not Authenticator.objects.filter(user=alice).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]


def test_the_address_is_free_for_a_new_account(client, world, django_capture_on_commit_callbacks):
    old_email = world.alice.email
    delete_account(user=world.alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": old_email, "password1": PASSWORD, "password2": PASSWORD},
        )

    assert response.url == reverse("account_email_verification_sent")
    newcomer = User.objects.get(email__iexact=old_email)
    assert newcomer.pk != world.alice.pk
    assert EmailAddress.objects.get(email__iexact=old_email).user == newcomer
    sent = OutboxEmail.objects.filter(to=[old_email]).values_list("template", flat=True)
    assert list(sent) == ["account/email/email_confirmation_signup"]


def test_emails_already_sent_to_them_keep_neither_address_nor_content(world):
    old_email = world.alice.email
    sent = OutboxEmail.objects.create(
        template="goal_reviewed",
        to=[old_email],
        from_email="mentorship@example.org",
        subject="Alice, Bob reviewed your goal",
        body_text="Bob wrote: keep going with the talk, Alice.",
        body_html="<p>Bob wrote: keep going with the talk, Alice.</p>",
        sent_at=timezone.now(),
        attempts=1,
    )
    emails = OutboxEmail.objects.count()

    delete_account(user=world.alice)

    row = OutboxEmail.objects.get(pk=sent.pk)
    assert row.to == [deleted_email(world.alice)] and row.sent_at is not None
    assert "Alice" not in row.subject + row.body_text + row.body_html
    assert not OutboxEmail.objects.filter(to=[old_email]).exists()
    assert OutboxEmail.objects.count() >= emails - 1  # only pending copies to them go


# --- Deletion: what happens to everyone else -----------------------------------


def _to(user: User, template: str) -> int:
    return OutboxEmail.objects.filter(template=template, to=[user.email]).count()


def test_the_other_side_is_told_once_and_open_requests_close(world):
    old_email = world.alice.email

    delete_account(user=world.alice)
    delete_account(user=world.alice)

    mentorship = Mentorship.objects.get(pk=world.mentorship.pk)
    assert mentorship.status == MentorshipStatus.ENDED_EARLY
    assert _to(world.bob, "mentorship_ended") == 1
    assert "Alice Archer has closed your mentorship" in (
        OutboxEmail.objects.get(template="mentorship_ended", to=[world.bob.email]).body_text
    )
    # The meeting nobody will come to leaves Bob's calendar.
    assert Meeting.objects.get(pk=world.next_meeting.pk).status == MeetingStatus.CANCELLED
    assert _to(world.bob, "meeting_cancelled") == 1
    assert _to(world.dave, "request_withdrawn") == 1
    assert _to(world.frank, "request_declined") == 1
    assert set(
        MentorshipRequest.objects.filter(
            mentee_enrollment__user=world.alice, mentor_enrollment__user=world.dave
        ).values_list("status", flat=True)
    ) == {RequestStatus.WITHDRAWN}
    # Alice's own copies never go out.
    assert not OutboxEmail.objects.pending().filter(to=[old_email]).exists()


def test_cohort_statistics_survive(world):
    models = (Enrollment, Mentorship, MentorshipRequest, Goal, Milestone, Meeting, SurveyResponse)
    before = {model: model.objects.count() for model in models}

    delete_account(user=world.alice)

    assert {model: model.objects.count() for model in models} == before
    assert set(world.alice.enrollments.values_list("status", flat=True)) == {EnrollmentStatus.LEFT}
    goal = Goal.objects.get(pk=world.goal.pk)
    assert goal.status == GoalStatus.IN_PROGRESS
    assert goal.target_date == world.goal.target_date
    assert goal.progress_percent() == 50
    survey = SurveyResponse.objects.get(user=world.alice)
    assert (survey.satisfaction, survey.recommend, survey.goal_progress) == (4, 9, 2)
    assert survey.comments == ""


def test_what_they_wrote_is_replaced_and_their_private_notes_deleted(world):
    delete_account(user=world.alice)

    goal = Goal.objects.get(pk=world.goal.pk)
    assert (goal.title, goal.outcome, goal.plan, goal.relevance) == (DELETED,) * 4
    assert set(goal.milestones.values_list("title", flat=True)) == {DELETED}
    assert set(
        MentorshipMessage.objects.filter(author=world.alice).values_list("body", flat=True)
    ) == {DELETED}
    assert RequestMessage.objects.get(author=world.alice).body == DELETED
    assert GoalComment.objects.get(author=world.alice).body == DELETED
    assert ProgressUpdate.objects.get(author=world.alice).note == DELETED
    assert Obstacle.objects.get(goal=goal).description == DELETED
    assert ActionItem.objects.get(owner=world.alice).title == DELETED
    past = Meeting.objects.get(pk=world.past_meeting.pk)
    assert (past.agenda, past.location) == (DELETED, "")
    assert list(past.notes.filter(author=world.alice).values_list("body", "is_private")) == [
        (DELETED, False)
    ]
    # Bob's words are Bob's.
    assert MentorshipMessage.objects.get(author=world.bob, mentorship=world.mentorship).body == (
        "BOB-SAYS"
    )
    assert set(past.notes.filter(author=world.bob).values_list("body", flat=True)) == {
        "ALICE-THEIR-PRIVATE",
        "ALICE-THEIR-SHARED",
    }
    assert Obstacle.objects.get(goal=goal).advice == "ALICE-ADVICE"

    profile = world.alice.profile
    profile.refresh_from_db()
    assert profile.display_name == FORMER_MEMBER
    assert (profile.bio, profile.linkedin_url, profile.headline) == ("", "", "")
    assert not profile.skills.exists()
    assert not profile.languages.exists()
    invitation = Invitation.objects.get()
    assert invitation.email.endswith("@deleted.invalid")
    assert invitation.name == ""


def test_deleting_twice_is_harmless(world):
    delete_account(user=world.alice)
    emails = OutboxEmail.objects.count()
    snapshot = export_data(user=world.alice)

    delete_account(user=world.alice)

    assert OutboxEmail.objects.count() == emails
    again = export_data(user=world.alice)
    assert {k: v for k, v in again.items() if k != "exported_at"} == {
        k: v for k, v in snapshot.items() if k != "exported_at"
    }


def test_feedback_ratings_stay_and_comments_go(world):
    delete_account(user=world.alice)
    MentorshipFeedback.objects.create(
        mentorship=world.mentorship, author=world.alice, rating=5, comment="LOVED IT"
    )

    delete_account(user=world.alice)

    feedback = MentorshipFeedback.objects.get(author=world.alice)
    assert (feedback.rating, feedback.comment) == (5, "")


def test_fit_answers_are_exported_and_their_words_erased_on_deletion(world):
    [answer] = export_data(user=world.alice)["check_ins"]
    assert (answer["kind"], answer["answer"], answer["comment"]) == ("fit", "not_sure", "ALICE-FIT")
    assert export_data(user=world.bob)["check_ins"] == []

    delete_account(user=world.alice)

    check = FitCheck.objects.get(person=world.alice)
    assert (check.answer, check.comment) == ("not_sure", "")


def test_single_sign_on_accounts_are_exported_and_erased_with_the_account(world):
    SocialAccount.objects.create(
        user=world.alice,
        provider="acme",
        uid="alice-at-acme",
        extra_data={"email": "alice@acme.example", "name": "Alice at Acme"},
    )
    exported = export_data(user=world.alice)["account"]["single_sign_on"]
    assert exported == [
        {
            "provider": "acme",
            "uid": "alice-at-acme",
            "connected_at": exported[0]["connected_at"],
            "last_login": exported[0]["last_login"],
            "claims": {"email": "alice@acme.example", "name": "Alice at Acme"},
        }
    ]
    delete_account(user=world.alice)
    # The provider's id and its claims (her name and address) go with the account.
    assert not SocialAccount.objects.filter(uid="alice-at-acme").exists()
