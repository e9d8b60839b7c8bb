"""A person's own data: download all of it, or delete the account.

What the export holds, and what it leaves out:

- Everything the person wrote, wherever it is (messages, comments, notes including
  their private ones, reviews, advice, survey answers), and everything about them
  (account, profile, skills, enrollments, invitations sent to their address).
- What they can already read in the app about their requests, mentorships, goals and
  meetings: the whole conversation, shared notes, the mentor's comments.
- Never what the app hides from them: another person's private notes, the other side's
  feedback (programme admins only), suggestions the engine computed, secrets (invitation
  and survey tokens, MFA keys).
- Other people appear by display name only. The one exception is the counterpart of a
  mentorship, whose email address comes too: both sides received each other's address in
  the introduction email when the mentorship started.

Deleting keeps the rows that cohort statistics count (enrollments, requests, mentorships,
goals, meetings, survey scores, feedback ratings) and erases what identifies the person or
what they wrote. Their mentorships end through the matching services, so the other side
hears about it the usual way, in the usual email.
"""

from datetime import date, datetime
from decimal import Decimal
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

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
    DeclineReason,
    Enrollment,
    EnrollmentStatus,
    Introduction,
    IntroductionStatus,
    Mentorship,
    MentorshipFeedback,
    MentorshipMessage,
    MentorshipRequest,
    MentorshipStatus,
    RequestMessage,
    Suggestion,
)
from matching.services import (
    answer_introduction,
    audit,
    decline_request,
    end_mentorship,
    withdraw_request,
)
from matching.services.suggestions import request_recompute
from profiles.models import Profile, ProfileSkill
from programmes.models import Invitation, SurveyResponse

EXPORT_FORMAT = "mentorship-data/1"
DELETED = "[deleted]"
FORMER_MEMBER = "Former member"
END_REASON = "Account deleted."
DECLINE_NOTE = "This mentor has left the platform."
MEETING_CANCEL_REASON = "Account deleted."
ME = "me"


def deleted_email(user: User) -> str:
    # .invalid is reserved (RFC 2606): nothing can ever be delivered there.
    return f"deleted-{user.pk}@deleted.invalid"


# --- Export ------------------------------------------------------------------


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _num(value: Decimal | None) -> str | None:
    # Strings, not floats: 12.10 stays 12.10.
    return str(value) if value is not None else None


def _display_name(user: User | None) -> str:
    """A name for someone else, never their email address."""
    if user is None:
        return "A former member"
    profile = getattr(user, "profile", None)
    return profile.display_name if profile and profile.display_name else "A member"


def _who(user: User | None, me: User) -> str:
    return ME if user is not None and user.pk == me.pk else _display_name(user)


def _account(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "is_staff": user.is_staff,
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        # Which kinds of two-factor authentication are set up; never their secrets.
        "two_factor": [
            {"type": a.type, "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        # The organisation accounts they sign in with, and what each provider told us.
        "single_sign_on": [
            {
                "provider": a.provider,
                "uid": a.uid,
                "connected_at": _iso(a.date_joined),
                "last_login": _iso(a.last_login),
                "claims": a.extra_data,
            }
            for a in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
    }


PROFILE_FIELDS = (
    "display_name",
    "headline",
    "bio",
    "job_title",
    "organisation",
    "industry",
    "years_experience",
    "career_stage",
    "time_zone",
    "hours_per_month",
    "meets_by_video",
    "meets_by_phone",
    "meets_in_person",
    "meets_by_chat",
    "wants_mentoring",
    "wants_to_mentor",
    "mentor_capacity",
    "is_accepting_requests",
    "wants_broader_perspective",
    "career_goals",
    "target_role",
    "linkedin_url",
    "email_reminders",
    "email_digest",
)


def _profile(profile: Profile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    data: dict[str, Any] = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    data["languages"] = [language.name for language in profile.languages.all()]
    for name in ("essentials_done_at", "onboarded_at", "created_at", "updated_at"):
        data[name] = _iso(getattr(profile, name))
    return data


def _skills(profile: Profile | None) -> list[dict[str, Any]]:
    if profile is None:
        return []
    return [
        {"skill": ps.skill.name, "kind": ps.kind, "level": ps.get_level_display()}
        for ps in profile.skills.all()
    ]


def _enrollments(user: User) -> list[dict[str, Any]]:
    rows = Enrollment.objects.filter(user=user).select_related("cohort").order_by("joined_at")
    return [
        {
            "cohort": e.cohort.name,
            "role": e.role,
            "status": e.status,
            "capacity_override": e.capacity_override,
            "joined_at": _iso(e.joined_at),
        }
        for e in rows
    ]


PEOPLE = (
    "cohort",
    "mentee_enrollment__user__profile",
    "mentor_enrollment__user__profile",
)


def _requests(user: User) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = (
        MentorshipRequest.objects.for_user(user)
        .select_related(*PEOPLE)
        .prefetch_related("messages")
        .order_by("created_at", "pk")
    )
    sent: list[dict[str, Any]] = []
    received: list[dict[str, Any]] = []
    for r in rows:
        i_sent = r.mentee_enrollment.user_id == user.pk
        other = r.mentor_enrollment.user if i_sent else r.mentee_enrollment.user
        entry = {
            "id": r.pk,
            "cohort": r.cohort.name,
            ("to" if i_sent else "from"): _display_name(other),
            "message": r.message,
            "first_goal": r.first_goal,
            "status": r.status,
            "decline_reason": r.decline_reason,
            "decline_note": r.decline_note,
            "created_at": _iso(r.created_at),
            "expires_at": _iso(r.expires_at),
            "responded_at": _iso(r.responded_at),
            "closed_at": _iso(r.closed_at),
            "messages": [
                {
                    "from": ME if m.author_id == user.pk else _display_name(other),
                    "body": m.body,
                    "created_at": _iso(m.created_at),
                }
                for m in r.messages.all()
            ],
        }
        (sent if i_sent else received).append(entry)
    return sent, received


def _mentorships(user: User) -> list[dict[str, Any]]:
    rows = (
        Mentorship.objects.for_user(user)
        .select_related(*PEOPLE, "ended_by__profile")
        .prefetch_related(
            "messages",
            # The other side's feedback is for programme admins only.
            Prefetch("feedback", MentorshipFeedback.objects.filter(author=user), "my_feedback"),
            Prefetch(
                "introductions",
                Introduction.objects.select_related("contact__profile").order_by("created_at"),
            ),
        )
        .order_by("started_at", "pk")
    )
    result = []
    for m in rows:
        i_mentor = m.mentor_enrollment.user_id == user.pk
        other = m.mentee_enrollment.user if i_mentor else m.mentor_enrollment.user
        feedback = m.my_feedback[0] if m.my_feedback else None
        result.append(
            {
                "id": m.pk,
                "cohort": m.cohort.name,
                "my_role": "mentor" if i_mentor else "mentee",
                # Both sides were sent each other's address when the mentorship began.
                "counterpart": {"name": _display_name(other), "email": other.email},
                "status": m.status,
                "started_at": _iso(m.started_at),
                "ended_at": _iso(m.ended_at),
                "ended_by": _who(m.ended_by, user) if m.ended_by_id else None,
                "end_reason": m.end_reason,
                "messages": [
                    {
                        "from": ME if msg.author_id == user.pk else _display_name(other),
                        "body": msg.body,
                        "created_at": _iso(msg.created_at),
                    }
                    for msg in m.messages.all()
                ],
                "my_feedback": (
                    {
                        "rating": feedback.rating,
                        "comment": feedback.comment,
                        "created_at": _iso(feedback.created_at),
                    }
                    if feedback
                    else None
                ),
                "introductions": [
                    {
                        "contact": _display_name(i.contact),
                        "message": i.message,
                        "status": i.status,
                        "created_at": _iso(i.created_at),
                        "responded_at": _iso(i.responded_at),
                    }
                    for i in m.introductions.all()
                ],
            }
        )
    return result


def _introductions_received(user: User) -> list[dict[str, Any]]:
    rows = (
        Introduction.objects.filter(contact=user)
        .select_related("mentorship__mentor_enrollment__user__profile")
        .select_related("mentorship__mentee_enrollment__user__profile")
        .order_by("created_at", "pk")
    )
    return [
        {
            "introduced_by": _display_name(i.mentorship.mentor),
            "introduced_to": _display_name(i.mentorship.mentee),
            "message": i.message,
            "status": i.status,
            "created_at": _iso(i.created_at),
            "responded_at": _iso(i.responded_at),
        }
        for i in rows
    ]


def _goals(user: User) -> list[dict[str, Any]]:
    """The goals this person owns as a mentee, with everything that happened to them."""
    by_author = "author__profile"
    rows = (
        Goal.objects.filter(mentorship__mentee_enrollment__user=user)
        .prefetch_related(
            "milestones",
            Prefetch("events", GoalEvent.objects.select_related("actor__profile")),
            Prefetch("updates", ProgressUpdate.objects.select_related(by_author)),
            Prefetch("comments", GoalComment.objects.select_related(by_author)),
            Prefetch(
                "obstacles",
                Obstacle.objects.select_related(
                    "raised_by__profile", "advised_by__profile", "resolved_by__profile"
                ),
            ),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": g.pk,
            "mentorship_id": g.mentorship_id,
            "title": g.title,
            "outcome": g.outcome,
            "measure": g.measure,
            "metric_name": g.metric_name,
            "metric_unit": g.metric_unit,
            "baseline": _num(g.baseline),
            "target": _num(g.target),
            "current_value": _num(g.current_value),
            "plan": g.plan,
            "relevance": g.relevance,
            "starts_on": _iso(g.starts_on),
            "target_date": _iso(g.target_date),
            "status": g.status,
            "progress_percent": g.progress_percent(),
            "created_at": _iso(g.created_at),
            "updated_at": _iso(g.updated_at),
            "milestones": [
                {
                    "position": ms.position,
                    "title": ms.title,
                    "due_on": _iso(ms.due_on),
                    "done_at": _iso(ms.done_at),
                }
                for ms in g.milestones.all()
            ],
            "events": [
                {
                    "by": _who(e.actor, user),
                    "from_status": e.from_status,
                    "to_status": e.to_status,
                    "comment": e.comment,
                    "created_at": _iso(e.created_at),
                }
                for e in g.events.all()
            ],
            "progress_updates": [
                {
                    "by": _who(u.author, user),
                    "value": _num(u.value),
                    "percent": u.percent,
                    "note": u.note,
                    "created_at": _iso(u.created_at),
                }
                for u in g.updates.all()
            ],
            "comments": [
                {"by": _who(c.author, user), "body": c.body, "created_at": _iso(c.created_at)}
                for c in g.comments.all()
            ],
            "obstacles": [
                {
                    "category": o.category,
                    "description": o.description,
                    "raised_by": _who(o.raised_by, user),
                    "advice": o.advice,
                    "advised_by": _who(o.advised_by, user) if o.advised_by_id else None,
                    "advised_at": _iso(o.advised_at),
                    "resolution": o.resolution,
                    "resolved_by": _who(o.resolved_by, user) if o.resolved_by_id else None,
                    "resolved_at": _iso(o.resolved_at),
                    "created_at": _iso(o.created_at),
                }
                for o in g.obstacles.all()
            ],
        }
        for g in rows
    ]


def _written_on_others_goals(user: User) -> dict[str, list[dict[str, Any]]]:
    """What they wrote on goals they do not own (as a mentor or programme admin)."""
    not_mine = ~Q(goal__mentorship__mentee_enrollment__user=user)
    comments = GoalComment.objects.filter(not_mine, author=user).select_related("goal")
    reviews = (
        GoalEvent.objects.filter(not_mine, actor=user).exclude(comment="").select_related("goal")
    )
    advice = Obstacle.objects.filter(not_mine, advised_by=user).select_related("goal")
    return {
        "comments": [
            {"goal": c.goal.title, "body": c.body, "created_at": _iso(c.created_at)}
            for c in comments
        ],
        "review_comments": [
            {
                "goal": e.goal.title,
                "to_status": e.to_status,
                "comment": e.comment,
                "created_at": _iso(e.created_at),
            }
            for e in reviews
        ],
        "obstacle_advice": [
            {"goal": o.goal.title, "advice": o.advice, "advised_at": _iso(o.advised_at)}
            for o in advice
        ],
    }


def _in_mentorship_of(user: User) -> Q:
    return Q(mentorship__mentee_enrollment__user=user) | Q(mentorship__mentor_enrollment__user=user)


def _meetings(user: User) -> list[dict[str, Any]]:
    rows = (
        Meeting.objects.filter(_in_mentorship_of(user))
        .select_related("scheduled_by__profile", "cancelled_by__profile")
        .prefetch_related(
            # Shared notes and their own private ones: never the other side's private notes.
            Prefetch(
                "notes", MeetingNote.objects.readable_by(user).select_related("author__profile")
            )
        )
        .order_by("starts_at", "pk")
    )
    return [
        {
            "id": m.pk,
            "mentorship_id": m.mentorship_id,
            "starts_at": _iso(m.starts_at),
            "duration_minutes": m.duration_minutes,
            "format": m.format,
            "location": m.location,
            "agenda": m.agenda,
            "status": m.status,
            "scheduled_by": _who(m.scheduled_by, user),
            "cancelled_by": _who(m.cancelled_by, user) if m.cancelled_by_id else None,
            "cancel_reason": m.cancel_reason,
            "cancelled_at": _iso(m.cancelled_at),
            "notes": [
                {
                    "by": _who(n.author, user),
                    "body": n.body,
                    "is_private": n.is_private,
                    "created_at": _iso(n.created_at),
                }
                for n in m.notes.all()
            ],
        }
        for m in rows
    ]


def _action_items(user: User) -> list[dict[str, Any]]:
    rows = ActionItem.objects.filter(owner=user).order_by("created_at", "pk")
    return [
        {
            "title": a.title,
            "meeting_id": a.meeting_id,
            "goal_id": a.goal_id,
            "due_on": _iso(a.due_on),
            "done_at": _iso(a.done_at),
            "created_at": _iso(a.created_at),
        }
        for a in rows
    ]


def _surveys(user: User) -> list[dict[str, Any]]:
    rows = SurveyResponse.objects.filter(user=user).select_related("cohort").order_by("sent_at")
    return [
        {
            "cohort": s.cohort.name,
            "kind": s.kind,
            "role": s.role,
            "sent_at": _iso(s.sent_at),
            "answered_at": _iso(s.answered_at),
            "satisfaction": s.satisfaction,
            "recommend": s.recommend,
            "goal_progress": s.goal_progress,
            "comments": s.comments,
        }
        for s in rows
    ]


def _check_ins(user: User) -> list[dict[str, Any]]:
    """Their answers to "Is this working?" (the programme team reads them)."""
    rows = (
        FitCheck.objects.filter(person=user)
        .select_related("mentorship__cohort")
        .order_by("asked_at", "pk")
    )
    return [
        {
            "cohort": c.mentorship.cohort.name,
            "mentorship_started_at": _iso(c.mentorship.started_at),
            "kind": c.kind,
            "asked_at": _iso(c.asked_at),
            "answer": c.answer,
            "comment": c.comment,
            "answered_at": _iso(c.answered_at),
        }
        for c in rows
    ]


def _invitations_of(user: User) -> Q:
    return Q(email__iexact=user.email) | Q(accepted_by=user)


def _invitations(user: User) -> list[dict[str, Any]]:
    rows = (
        Invitation.objects.filter(_invitations_of(user))
        .select_related("cohort")
        .order_by("created_at", "pk")
    )
    return [
        {
            "cohort": i.cohort.name,
            "email": i.email,
            "name": i.name,
            "role": i.role,
            "created_at": _iso(i.created_at),
            "last_sent_at": _iso(i.last_sent_at),
            "accepted_at": _iso(i.accepted_at),
        }
        for i in rows
    ]


def export_data(*, user: User) -> dict[str, Any]:
    """Everything about and by this person, as plain JSON types (dates in ISO 8601).

    A fixed number of queries whatever the amount of data: every list is one query
    (plus one per prefetched relation).
    """
    profile = (
        Profile.objects.filter(user=user)
        .prefetch_related(
            "languages", Prefetch("skills", ProfileSkill.objects.select_related("skill"))
        )
        .first()
    )
    sent, received = _requests(user)
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "about": (
            "Other people appear by display name only, except the counterpart of a "
            "mentorship, whose email address you received when it began. Other people's "
            "private notes and the feedback they gave the programme team are not included."
        ),
        "account": _account(user),
        "profile": _profile(profile),
        "skills": _skills(profile),
        "enrollments": _enrollments(user),
        "requests_sent": sent,
        "requests_received": received,
        "mentorships": _mentorships(user),
        "introductions_received": _introductions_received(user),
        "goals": _goals(user),
        "written_on_others_goals": _written_on_others_goals(user),
        "meetings": _meetings(user),
        "action_items": _action_items(user),
        "survey_responses": _surveys(user),
        "check_ins": _check_ins(user),
        "invitations": _invitations(user),
    }


# --- Deletion ----------------------------------------------------------------


def _close_relationships(user: User, now: datetime) -> None:
    """End what involves other people through the usual services, so they are told."""
    active = Mentorship.objects.for_user(user).active().select_related(*PEOPLE)
    for mentorship in active:
        # Their calendars drop the meetings nobody will come to.
        upcoming = mentorship.meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now)
        for meeting in upcoming:
            if not meeting.has_happened():
                cancel_meeting(meeting=meeting, by=user, reason=MEETING_CANCEL_REASON)
        end_mentorship(
            mentorship=mentorship,
            by=user,
            outcome=MentorshipStatus.ENDED_EARLY,
            reason=END_REASON,
        )
    pending = MentorshipRequest.objects.for_user(user).pending().select_related(*PEOPLE)
    for request in pending:
        if request.mentee_enrollment.user_id == user.pk:
            withdraw_request(request=request, by=user)
        else:
            decline_request(request=request, by=user, reason=DeclineReason.OTHER, note=DECLINE_NOTE)
    introductions = Introduction.objects.filter(contact=user, status=IntroductionStatus.PENDING)
    for introduction in introductions:
        answer_introduction(introduction=introduction, by=user, accept=False)

    enrollments = Enrollment.objects.filter(user=user)
    cohort_ids = list(enrollments.values_list("cohort_id", flat=True).distinct())
    # The rows stay (cohort statistics count them); leaving takes them out of matching.
    enrollments.update(status=EnrollmentStatus.LEFT)
    Suggestion.objects.filter(
        Q(mentee_enrollment__user=user) | Q(mentor_enrollment__user=user)
    ).delete()
    if cohort_ids:
        request_recompute(cohort_ids=cohort_ids)


def _replace(queryset: Any, field: str, value: str = DELETED) -> None:
    """Overwrite a text field where it holds something, so empty stays empty."""
    queryset.exclude(**{field: ""}).exclude(**{field: value}).update(**{field: value})


def _erase_texts(user: User) -> None:
    _replace(RequestMessage.objects.filter(author=user), "body")
    sent = MentorshipRequest.objects.filter(mentee_enrollment__user=user)
    _replace(sent, "message")
    _replace(sent, "first_goal")
    received = MentorshipRequest.objects.filter(mentor_enrollment__user=user)
    _replace(received.exclude(decline_note=DECLINE_NOTE), "decline_note")
    _replace(MentorshipMessage.objects.filter(author=user), "body")
    # Ratings stay for the programme's statistics; the words go.
    MentorshipFeedback.objects.filter(author=user).update(comment="")
    _replace(Mentorship.objects.filter(ended_by=user).exclude(end_reason=END_REASON), "end_reason")
    _replace(Introduction.objects.filter(mentorship__mentor_enrollment__user=user), "message")

    # Their goals keep statuses, dates and numbers; their words go.
    owned = Goal.objects.filter(mentorship__mentee_enrollment__user=user)
    for field in ("title", "outcome", "plan", "relevance"):
        _replace(owned, field)
    _replace(Milestone.objects.filter(goal__in=owned), "title")

    _replace(GoalEvent.objects.filter(actor=user), "comment")
    _replace(ProgressUpdate.objects.filter(author=user), "note")
    _replace(GoalComment.objects.filter(author=user), "body")
    _replace(Obstacle.objects.filter(raised_by=user), "description")
    _replace(Obstacle.objects.filter(advised_by=user), "advice")
    _replace(Obstacle.objects.filter(resolved_by=user), "resolution")

    scheduled = Meeting.objects.filter(scheduled_by=user)
    _replace(scheduled, "agenda")
    scheduled.exclude(location="").update(location="")
    cancelled = Meeting.objects.filter(cancelled_by=user).exclude(
        cancel_reason=MEETING_CANCEL_REASON
    )
    _replace(cancelled, "cancel_reason")
    # Nobody else ever read a private note, so nothing is lost by deleting it.
    MeetingNote.objects.filter(author=user, is_private=True).delete()
    _replace(MeetingNote.objects.filter(author=user), "body")
    _replace(ActionItem.objects.filter(owner=user), "title")

    SurveyResponse.objects.filter(user=user).exclude(comments="").update(comments="")
    # Fit answers stay for the programme's counts; the words go.
    FitCheck.objects.filter(person=user).exclude(comment="").update(comment="")


# Everything a profile says about a person, and what it says once they are gone.
ERASED_PROFILE: dict[str, Any] = {
    "display_name": FORMER_MEMBER,
    **dict.fromkeys(
        (
            "headline",
            "bio",
            "job_title",
            "organisation",
            "industry",
            "career_stage",
            "career_goals",
            "target_role",
            "linkedin_url",
        ),
        "",
    ),
    "years_experience": None,
    "hours_per_month": None,
    "time_zone": "UTC",
    "is_accepting_requests": False,
    "email_reminders": False,
    "email_digest": False,
}


def _erase_profile(user: User) -> None:
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        return
    # Saved only when something changes, so a second run leaves updated_at alone.
    if any(getattr(profile, name) != value for name, value in ERASED_PROFILE.items()):
        for name, value in ERASED_PROFILE.items():
            setattr(profile, name, value)
        profile.save()
    profile.languages.clear()
    profile.skills.all().delete()


def _end_sessions(user: User) -> None:
    """Sign them out everywhere. Session stores that cannot be searched (cache, cookies)
    are covered anyway: an unusable password changes the hash every session carries."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return
    model = store.get_model_class()
    theirs = [
        session.session_key
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk)
    ]
    model.objects.filter(session_key__in=theirs).delete()


def _erase_account(user: User, old_email: str) -> None:
    # Their own copies of the farewell emails are pointless and carry their address.
    OutboxEmail.objects.pending().filter(to=[old_email]).delete()
    # What was sent to them stays as a record that it was sent (its key keeps it from
    # going out twice), without their address or what it said.
    OutboxEmail.objects.filter(to=[old_email]).update(
        to=[deleted_email(user)],
        subject="(erased with the account)",
        body_text="",
        body_html="",
        attachments=[],
        last_error="",
    )
    for invitation in Invitation.objects.filter(_invitations_of(user)):
        invitation.email = f"deleted-invitation-{invitation.pk}@deleted.invalid"
        invitation.name = ""
        invitation.save(update_fields=["email", "name"])

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    # The provider's id and claims (their name, address) go too: the row of the user
    # stays, anonymised, and would otherwise keep them.
    SocialAccount.objects.filter(user=user).delete()
    _end_sessions(user)
    user.administered_cohorts.clear()
    user.groups.clear()
    user.user_permissions.clear()

    user.email = deleted_email(user)
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.save()


@transaction.atomic
def delete_account(*, user: User, now: datetime | None = None) -> None:
    """Delete this person's account: the other side is told, statistics survive, what
    identifies them is erased. Running it again changes nothing."""
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    old_email = user.email
    _close_relationships(user, now)
    _erase_texts(user)
    _erase_profile(user)
    _erase_account(user, old_email)


def record_data_download(*, user: User) -> None:
    """The download carries everything kept about a person: it leaves an audit entry,
    like every other export of personal data."""
    audit.record(
        actor=user,
        cohort=None,
        action=AuditAction.DATA_EXPORTED,
        summary="Downloaded their own data",
    )
