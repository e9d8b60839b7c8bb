"""Invitations: sending and resending, accepting (services), and the invitation page in
every situation a visitor can be in."""

import re

from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from core.outbox.models import OutboxEmail
from matching.models import AuditAction, AuditEntry, Enrollment, EnrollmentStatus, JoinMode, Role
from profiles.models import Profile
from programmes.admin_invitations import InvitationAdmin, InvitationForm
from programmes.models import Invitation
from programmes.services import invitations
from programmes.services.imports import parse_csv
from tests.factories import (
    PASSWORD,
    CohortFactory,
    ProfileFactory,
    UserFactory,
    make_programme_admin,
)
from tests.programmes.people import csv_upload, enroll

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "purple-otter-climbs-42"


@pytest.fixture
def cohort():
    # Closed to the public and behind an invite code: an invitation enrolls all the same.
    return CohortFactory(
        name="Women in Tech 2025",
        is_enrollment_open=False,
        join_mode=JoinMode.INVITE,
        invite_code="secret",
    )


@pytest.fixture
def admin_user(cohort):
    return make_programme_admin(cohort)


def invite(cohort, admin_user, email="ana@example.org", role="mentor", capacity=3, name="Ana"):
    return invitations.create_invitation(
        cohort=cohort, email=email, name=name, role=role, capacity=capacity, by=admin_user
    )


@pytest.fixture
def invitation(cohort, admin_user):
    return invite(cohort, admin_user)


def page(invitation: Invitation) -> str:
    return reverse("programmes:invitation", args=[invitation.token])


# --- Sending -------------------------------------------------------------------


def test_the_invitation_email_carries_the_personal_link(
    cohort, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(cohort, admin_user)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.org"]
    assert "invited to Women in Tech 2025 as a mentor" in message.subject
    assert "Hello Ana," in message.body
    assert f"http://testserver/invitations/{invitation.token}/" in message.body
    link = re.search(r"http://testserver(/invitations/\S+)", message.body).group(1)
    assert link == page(invitation)


def test_resending_sends_a_new_email_each_time(
    cohort, admin_user, invitation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations.resend_invitations(invitations=[invitation], by=admin_user) == 1
        assert invitations.resend_invitations(invitations=[invitation], by=admin_user) == 1
    invitation.refresh_from_db()
    assert invitation.sent_count == 3 and invitation.last_sent_at is not None
    keys = sorted(OutboxEmail.objects.values_list("key", flat=True))
    assert keys == [f"invitation:{invitation.pk}:{n}" for n in (1, 2, 3)]
    assert [m.subject.split("] ")[1] for m in mail.outbox] == [
        "Reminder: you're invited to Women in Tech 2025 as a mentor"
    ] * 2
    entries = AuditEntry.objects.filter(action=AuditAction.INVITATIONS_SENT)
    assert entries.count() == 2 and entries.first().details == {"emails": ["ana@example.org"]}


def test_accepted_invitations_are_not_resent(cohort, admin_user, invitation):
    pending = invite(cohort, admin_user, email="bo@example.org", role="mentee", capacity=None)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    assert invitations.resend_invitations(invitations=[invitation, pending], by=admin_user) == 1
    assert OutboxEmail.objects.filter(to=["ana@example.org"]).count() == 1
    with pytest.raises(ValidationError, match="already accepted"):
        invitations.send_invitation(invitation=invitation, by=admin_user)


def test_only_the_cohorts_admins_may_send(cohort, invitation):
    outsider = make_programme_admin(CohortFactory())
    with pytest.raises(PermissionDenied):
        invitations.resend_invitations(invitations=[invitation], by=outsider)
    with pytest.raises(PermissionDenied):
        invitations.send_invitation(invitation=invitation, by=outsider)
    with pytest.raises(PermissionDenied):
        invitations.invite(
            cohort=cohort, email="x@example.org", name="", role="mentee", capacity=None, by=outsider
        )
    assert OutboxEmail.objects.count() == 1


def test_inviting_one_person_by_hand_sends_and_records_it(cohort, admin_user):
    created = invitations.invite(
        cohort=cohort,
        email=" Cy@Example.org ",
        name="Cy",
        role="mentee",
        capacity=None,
        by=admin_user,
    )
    assert created.email == "cy@example.org" and created.sent_count == 1
    entry = AuditEntry.objects.get()
    assert entry.action == AuditAction.INVITATIONS_SENT and entry.object_id == created.pk
    with pytest.raises(ValidationError, match="already invited"):
        invitations.invite(
            cohort=cohort,
            email="CY@example.org",
            name="",
            role="mentee",
            capacity=None,
            by=admin_user,
        )


def test_people_already_enrolled_cannot_be_invited_again(cohort, admin_user):
    member = enroll(cohort, Role.MENTEE)
    with pytest.raises(ValidationError, match="already enrolled"):
        invitations.invite(
            cohort=cohort,
            email=member.user.email,
            name="",
            role="mentor",
            capacity=2,
            by=admin_user,
        )
    form = InvitationForm(
        data={"cohort": cohort.pk, "email": member.user.email.upper(), "role": "mentee"}
    )
    assert not form.is_valid()
    assert "Already enrolled in Women in Tech 2025 as mentee." in form.errors["email"]


def test_the_admin_form_keeps_capacity_for_mentors(cohort):
    form = InvitationForm(
        data={"cohort": cohort.pk, "email": "x@example.org", "role": "mentee", "capacity": 2}
    )
    assert not form.is_valid() and "capacity" in form.errors


def _admin_request(user: User):
    request = RequestFactory().post("/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_the_resend_action_resends_pending_ones_and_says_so(cohort, admin_user, invitation):
    accepted = invite(cohort, admin_user, email="bo@example.org", role="mentee", capacity=None)
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now())
    model_admin = admin.site._registry.get(Invitation) or InvitationAdmin(Invitation, admin.site)
    request = _admin_request(admin_user)
    model_admin.resend(request, model_admin.get_queryset(request))
    invitation.refresh_from_db()
    assert invitation.sent_count == 2
    assert [str(m) for m in get_messages(request)] == [
        "Sent 1 invitation again.",
        "Skipped 1 already accepted: nothing to resend.",
    ]


def test_another_cohorts_admin_does_not_see_the_invitations(cohort, invitation):
    model_admin = admin.site._registry.get(Invitation) or InvitationAdmin(Invitation, admin.site)
    outsider = make_programme_admin(CohortFactory())
    assert not model_admin.get_queryset(_admin_request(outsider)).exists()


# --- Accepting (service) ---------------------------------------------------------


def test_accepting_enrolls_with_role_and_capacity_despite_closed_enrollment(invitation, mentee):
    Invitation.objects.filter(pk=invitation.pk).update(email=mentee.email.upper())
    invitation.refresh_from_db()
    enrollment = invitations.accept_invitation(invitation=invitation, user=mentee)
    assert enrollment.cohort == invitation.cohort
    assert (enrollment.role, enrollment.status) == (Role.MENTOR, EnrollmentStatus.ACTIVE)
    assert enrollment.capacity_override == 3
    invitation.refresh_from_db()
    assert invitation.accepted_by == mentee and invitation.accepted_at is not None
    # The profile now wants what they were invited for, and keeps what it wanted before.
    profile = Profile.objects.get(user=mentee)
    assert profile.wants_to_mentor and profile.wants_mentoring


def test_accepting_twice_returns_the_same_enrollment(invitation, mentor):
    Invitation.objects.filter(pk=invitation.pk).update(email=mentor.email)
    first = invitations.accept_invitation(invitation=invitation, user=mentor)
    again = invitations.accept_invitation(invitation=invitation, user=mentor)
    assert first == again
    assert Enrollment.objects.filter(user=mentor, cohort=invitation.cohort).count() == 1


def test_someone_else_cannot_use_an_accepted_invitation(invitation, mentor, mentee):
    Invitation.objects.filter(pk=invitation.pk).update(email=mentor.email)
    invitations.accept_invitation(invitation=invitation, user=mentor)
    with pytest.raises(ValidationError, match="already been used"):
        invitations.accept_invitation(invitation=invitation, user=mentee)


def test_the_email_must_match(invitation, mentee):
    with pytest.raises(PermissionDenied, match="sent to another address"):
        invitations.accept_invitation(invitation=invitation, user=mentee)
    assert not Enrollment.objects.filter(user=mentee, cohort=invitation.cohort).exists()


def test_a_closed_cohort_refuses(invitation, mentor):
    Invitation.objects.filter(pk=invitation.pk).update(email=mentor.email)
    invitation.cohort.closed_at = timezone.now()
    invitation.cohort.save()
    with pytest.raises(ValidationError, match="has closed"):
        invitations.accept_invitation(invitation=invitation, user=mentor)


def test_someone_who_left_is_enrolled_again(cohort, admin_user):
    left = enroll(cohort, Role.MENTEE)
    left.status = EnrollmentStatus.LEFT
    left.save()
    invitation = invite(cohort, admin_user, email=left.user.email, role="mentee", capacity=None)
    enrollment = invitations.accept_invitation(invitation=invitation, user=left.user)
    assert enrollment.pk == left.pk and enrollment.status == EnrollmentStatus.ACTIVE


def test_a_newcomer_gets_a_profile_with_the_invited_intent(invitation):
    user = UserFactory(email="ana@example.org")
    invitations.accept_invitation(invitation=invitation, user=user)
    profile = Profile.objects.get(user=user)
    assert (profile.wants_to_mentor, profile.wants_mentoring) == (True, False)
    assert profile.display_name == "Ana" and profile.mentor_capacity == 3
    assert not profile.is_onboarded


# --- The page ----------------------------------------------------------------------


def test_an_unknown_or_garbage_token_is_a_404(client, invitation, mentor):
    for token in ("nope", invitation.token[:-1], "x" * 300, "%00"):
        assert client.get(f"/invitations/{token}/").status_code == 404
    client.force_login(mentor)
    assert client.post("/invitations/nope/").status_code == 404


def test_a_newcomer_signs_up_and_joins(client, invitation):
    response = client.get(page(invitation))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Create your account" in html and "ana@example.org" in html
    assert 'value="Ana"' in html

    response = client.post(
        page(invitation),
        {"name": " Ana  Silva ", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("profiles:onboarding-start")

    user = User.objects.get(email="ana@example.org")
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary and address.email == "ana@example.org"
    assert int(client.session["_auth_user_id"]) == user.pk
    enrollment = Enrollment.objects.get(user=user, cohort=invitation.cohort)
    assert enrollment.role == Role.MENTOR and enrollment.capacity_override == 3
    assert Profile.objects.get(user=user).display_name == "Ana Silva"
    # Onboarding picks up with the role already known.
    assert client.get(response.url).url == reverse("profiles:onboarding-about")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages and "You joined Women in Tech 2025" in messages[0]


@pytest.mark.parametrize(
    ("password1", "password2", "error"),
    [
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords don&#x27;t match."),
        ("short", "short", "This password is too short."),
        ("password123", "password123", "This password is too common."),
        ("ana@example.org1", "ana@example.org1", "too similar"),
    ],
)
def test_a_bad_password_is_explained_and_nothing_is_created(
    client, invitation, password1, password2, error
):
    response = client.post(
        page(invitation), {"name": "Ana", "password1": password1, "password2": password2}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.filter(email__iexact="ana@example.org").exists()
    assert "_auth_user_id" not in client.session


def test_the_link_works_once(client, invitation):
    client.post(
        page(invitation), {"name": "Ana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    # Anyone else, signed in or not: used.
    client.logout()
    for method in (client.get, client.post):
        response = method(page(invitation))
        assert response.status_code == 200
        assert "This invitation has already been used" in response.content.decode()
    assert User.objects.count() == 2  # the admin and Ana
    assert Enrollment.objects.filter(cohort=invitation.cohort).count() == 1


def test_the_person_who_accepted_gets_a_friendly_note_next_time(client, invitation, mentor):
    Invitation.objects.filter(pk=invitation.pk).update(email=mentor.email)
    client.force_login(mentor)
    client.post(page(invitation))
    for method in (client.get, client.post):
        response = method(page(invitation))
        assert response.status_code == 200
        assert "already accepted this invitation" in response.content.decode()
    assert mentor.enrollments.filter(cohort=invitation.cohort).count() == 1


def test_an_anonymous_visitor_with_an_account_is_asked_to_log_in(client, invitation, mentor):
    Invitation.objects.filter(pk=invitation.pk).update(email=mentor.email.upper())
    response = client.get(page(invitation))
    html = response.content.decode()
    assert response.status_code == 200 and "Log in to accept" in html
    assert f"{reverse('account_login')}?next=%2Finvitations%2F{invitation.token}%2F" in html
    # No account is created by posting the sign-up form at this stage.
    client.post(
        page(invitation), {"name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert not mentor.enrollments.filter(cohort=invitation.cohort).exists()

    response = client.post(
        reverse("account_login"),
        {"login": mentor.email, "password": PASSWORD, "next": page(invitation)},
    )
    assert response.status_code == 302 and response.url == page(invitation)


def test_the_invited_person_signed_in_accepts_with_a_button(client, invitation, mentor):
    Invitation.objects.filter(pk=invitation.pk).update(email=mentor.email)
    client.force_login(mentor)
    response = client.get(page(invitation))
    assert response.status_code == 200
    assert "Join Women in Tech 2025" in response.content.decode()
    assert not mentor.enrollments.filter(cohort=invitation.cohort).exists()  # GET changes nothing

    response = client.post(page(invitation))
    assert response.status_code == 302 and response.url == reverse("dashboard")
    enrollment = mentor.enrollments.get(cohort=invitation.cohort)
    assert enrollment.role == Role.MENTOR and enrollment.capacity_override == 3
    assert "You joined Women in Tech 2025 as mentor." in [
        str(m) for m in get_messages(response.wsgi_request)
    ]


def test_someone_signed_in_with_another_address_is_told_and_offered_to_sign_out(
    client, invitation, mentee
):
    client.force_login(mentee)
    for method in (client.get, client.post):
        response = method(page(invitation))
        html = response.content.decode()
        assert response.status_code == 200
        assert "a***@example.org" in html and mentee.email in html
        assert "ana@example.org" not in html
        assert reverse("account_logout") in html and "Sign out and continue" in html
    assert not Enrollment.objects.filter(cohort=invitation.cohort).exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None

    response = client.post(reverse("account_logout"), {"next": page(invitation)})
    assert response.url == page(invitation)


def test_a_closed_cohort_is_explained_on_the_page(client, invitation, mentor):
    Invitation.objects.filter(pk=invitation.pk).update(email=mentor.email)
    invitation.cohort.closed_at = timezone.now()
    invitation.cohort.save()
    client.force_login(mentor)
    response = client.post(page(invitation))
    assert response.status_code == 200
    assert "has closed" in response.content.decode()


def test_an_existing_onboarded_user_joining_keeps_their_profile(client, cohort, admin_user):
    person = ProfileFactory(display_name="Bo Chen", wants_mentoring=True).user
    invitation = invite(cohort, admin_user, email=person.email, role="mentee", capacity=None)
    client.force_login(person)
    client.post(page(invitation))
    profile = Profile.objects.get(user=person)
    assert profile.display_name == "Bo Chen" and profile.is_onboarded


# --- The admin pages (once programmes.admin imports admin_invitations) ---------------


def _admin_url(name: str, *args: object) -> str:
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        pytest.skip("programmes.admin does not import admin_invitations yet")


def test_the_invitation_admin_shows_only_the_admins_cohorts(client, cohort, admin_user, invitation):
    other = CohortFactory()
    theirs = invite(other, None, email="theirs@example.org", role="mentee", capacity=None)
    url = _admin_url("programmes_invitation_changelist")
    client.force_login(admin_user)
    html = client.get(url).content.decode()
    assert "ana@example.org" in html and "theirs@example.org" not in html
    mine = client.get(_admin_url("programmes_invitation_change", invitation.pk))
    assert mine.status_code == 200 and invitation.token not in mine.content.decode()
    response = client.get(_admin_url("programmes_invitation_change", theirs.pk))
    assert response.status_code in (302, 404)


def test_inviting_one_person_through_the_admin(client, cohort, admin_user):
    client.force_login(admin_user)
    response = client.post(
        _admin_url("programmes_invitation_add"),
        {"cohort": cohort.pk, "email": "New@Example.org", "name": "New", "role": "mentee"},
    )
    assert response.status_code == 302
    created = Invitation.objects.get()
    assert created.email == "new@example.org" and created.invited_by == admin_user
    assert OutboxEmail.objects.get().to == ["new@example.org"]
    assert AuditEntry.objects.get().action == AuditAction.INVITATIONS_SENT


def test_resending_through_the_admin_changelist(client, cohort, admin_user, invitation):
    client.force_login(admin_user)
    response = client.post(
        _admin_url("programmes_invitation_changelist"),
        {"action": "resend", "_selected_action": [invitation.pk]},
        follow=True,
    )
    assert "Sent 1 invitation again." in response.content.decode()
    assert Invitation.objects.get().sent_count == 2


def test_the_import_batch_admin_links_to_the_preview(client, cohort, admin_user):
    batch = parse_csv(
        cohort=cohort,
        file=csv_upload("email,role\na@example.org,mentee"),
        filename="a.csv",
        by=admin_user,
    )
    client.force_login(admin_user)
    html = client.get(_admin_url("programmes_importbatch_changelist")).content.decode()
    preview = reverse("admin:programmes_cohort_import_preview", args=[cohort.pk, batch.pk])
    assert "a.csv" in html and preview in html
