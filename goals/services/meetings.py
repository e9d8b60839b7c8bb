"""Meetings of a mentorship: who may see them (selectors) and how they change (services).

Both people get their own email, with the time in their own zone and an .ics invitation
whose UID never changes and whose SEQUENCE grows with every update, so their calendars
move or remove the event instead of adding another.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from core.outbox import services as outbox
from goals import selectors
from goals.ics import CANCEL, REQUEST, build_ics
from goals.models import (
    MEETING_FORMATS,
    ActionItem,
    Goal,
    Meeting,
    MeetingNote,
    MeetingStatus,
    visible_to,
)
from matching.models import Mentorship, either_side

MIN_MINUTES, MAX_MINUTES = 15, 480
# Far enough for a monthly rhythm planned a year out; further is usually a typo in the year.
MAX_DAYS_AHEAD = 366
# A meeting is logged after the fact, usually within days; a year back is surely a typo.
MAX_DAYS_BACK = 366
# The access rule joins the mentorship and both enrollments anyway: selecting them costs
# nothing more. The people are read apart (see _with_people): PostgreSQL planned the one
# query joining all eleven tables in 2-4 ms, more than the extra round trip costs.
SIDES = ("mentorship__mentee_enrollment", "mentorship__mentor_enrollment")
# What the writes (and their emails) read of a meeting.
RELATED = (
    "mentorship__cohort",
    "mentorship__mentee_enrollment__user__profile",
    "mentorship__mentor_enrollment__user__profile",
    "scheduled_by__profile",
)


# --- Reads ---------------------------------------------------------------------------


def mentorship_with_meetings_for(user: User, pk: int, *, to_change: bool = False) -> Mentorship:
    """A mentorship whose meetings this person may read (participants and the cohort's
    programme admins) or, with ``to_change``, schedule (participants only); else 404."""
    rule = either_side(user) if to_change else visible_to(user)
    return get_object_or_404(
        Mentorship.objects.filter(rule)
        .distinct()
        .select_related(
            "cohort", "mentee_enrollment__user__profile", "mentor_enrollment__user__profile"
        ),
        pk=pk,
    )


def meeting_for(user: User, pk: int, *, to_change: bool = False) -> Meeting:
    """A meeting this person may read or, with ``to_change``, act on; otherwise 404.

    Programme admins read meetings but are neither side of them: to them a change
    looks exactly like a meeting that does not exist."""
    meetings = (
        Meeting.objects.filter(either_side(user, "mentorship__"))
        if to_change
        else Meeting.objects.for_user(user)
    )
    # No distinct(): every join here is to one row, so none can repeat a meeting, and
    # DISTINCT over this many selected columns cost PostgreSQL ~20 ms of planning a page.
    return _with_people(get_object_or_404(meetings.select_related(*SIDES), pk=pk))


def _with_people(meeting: Meeting) -> Meeting:
    """Put the meeting's people in place, with their profiles, in one query: the mentee,
    the mentor, and whoever scheduled or cancelled it."""
    mentorship = meeting.mentorship
    sides = (mentorship.mentee_enrollment, mentorship.mentor_enrollment)
    ids = {e.user_id for e in sides} | {meeting.scheduled_by_id, meeting.cancelled_by_id}
    people = User.objects.select_related("profile").in_bulk(ids - {None})
    for enrollment in sides:
        if enrollment.user_id in people:
            enrollment.user = people[enrollment.user_id]
    if meeting.scheduled_by_id is not None:
        meeting.scheduled_by = people.get(meeting.scheduled_by_id)
    if meeting.cancelled_by_id is not None:
        meeting.cancelled_by = people.get(meeting.cancelled_by_id)
    return meeting


def action_item_for(user: User, pk: int) -> ActionItem:
    """An action item of one of this person's own meetings, or 404."""
    return get_object_or_404(
        ActionItem.objects.filter(either_side(user, "meeting__mentorship__")).select_related(
            "meeting__mentorship__mentee_enrollment", "meeting__mentorship__mentor_enrollment"
        ),
        pk=pk,
    )


def meetings_of(mentorship: Mentorship) -> QuerySet[Meeting]:
    return mentorship.meetings.select_related("scheduled_by__profile").order_by("starts_at", "pk")


def notes_of(meeting: Meeting, *, readable_by: User) -> list[MeetingNote]:
    """The notes this person may read: shared ones, and their own private ones."""
    notes = list(meeting.notes.readable_by(readable_by))
    _with_authors(meeting, notes)
    return notes


def action_items_of(meeting: Meeting) -> list[ActionItem]:
    items = list(meeting.action_items.select_related("goal"))
    _with_authors(meeting, items)
    return items


def _with_authors(meeting: Meeting, rows: list[MeetingNote] | list[ActionItem]) -> None:
    """Who wrote each note or owns each item: one of the two people, already loaded with
    the meeting (see _with_people), so usually no query at all."""
    mentorship = meeting.mentorship
    selectors.attach_people(
        rows,
        ("author", "owner"),
        known=(mentorship.mentee_enrollment.user, mentorship.mentor_enrollment.user),
    )


# The mentorship page lists this many open action items, then points to the meetings.
OPEN_ITEMS_SHOWN = 8


@dataclass
class FollowThrough:
    """What a mentorship page says about meetings: the last one, the next one, and what
    is still to do from any of them."""

    last: Meeting | None
    next: Meeting | None
    open_items: list[ActionItem]
    has_more_items: bool


def follow_through(mentorship: Mentorship) -> FollowThrough:
    """Three queries however many meetings and items there are. The owners are the two
    people the page has loaded already."""
    now = timezone.now()
    held = mentorship.meetings.scheduled()
    last = held.filter(starts_at__lte=now).order_by("-starts_at", "-pk").first()
    upcoming = held.filter(starts_at__gt=now).order_by("starts_at", "pk").first()
    items = list(
        ActionItem.objects.filter(
            meeting__mentorship=mentorship,
            meeting__status=MeetingStatus.SCHEDULED,
            done_at__isnull=True,
        )
        .select_related("meeting")
        .order_by(F("due_on").asc(nulls_last=True), "meeting__starts_at", "pk")[
            : OPEN_ITEMS_SHOWN + 1
        ]
    )
    selectors.attach_people(
        items,
        ("owner",),
        known=(mentorship.mentee_enrollment.user, mentorship.mentor_enrollment.user),
    )
    return FollowThrough(
        last=last,
        next=upcoming,
        open_items=items[:OPEN_ITEMS_SHOWN],
        has_more_items=len(items) > OPEN_ITEMS_SHOWN,
    )


def zone_of(user: User | None) -> str:
    """The IANA zone a person sees times in; UTC for anyone without a (valid) profile."""
    profile = getattr(user, "profile", None)
    name = getattr(profile, "time_zone", "") or "UTC"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def describe_time(meeting: Meeting, zone: str) -> str:
    """E.g. 'Tuesday 1 December 2026, 18:00–18:45 (Europe/Berlin)', in the active
    language ('Dienstag, 1. Dezember 2026, 18:00–18:45 (Europe/Berlin)')."""
    tz = zoneinfo.ZoneInfo(zone)
    start, end = meeting.starts_at.astimezone(tz), meeting.ends_at.astimezone(tz)
    day = date_format(start, pgettext("date format", "l j F Y"))
    until = f"{end:%H:%M}"
    if end.date() != start.date():
        end_day = date_format(end, pgettext("date format", "l j F"))
        until = f"{end_day}, {until}"
    return f"{day}, {start:%H:%M}–{until} ({zone})"


def language_of(person: User) -> str:
    """The language this person's emails are written in (as core.email chooses it)."""
    return person.language or settings.LANGUAGE_CODE


def _time_for(meeting: Meeting, person: User) -> str:
    """The meeting's time as this person's emails word it: their zone, their language."""
    with translation.override(language_of(person)):
        return describe_time(meeting, zone_of(person))


# --- Rules shared by the writes --------------------------------------------------------


def _require_active(mentorship: Mentorship) -> None:
    if not mentorship.is_active:
        raise ValidationError(_("This mentorship has ended; its meetings are read-only."))


def _check_details(
    *,
    starts_at: datetime,
    duration_minutes: int,
    format: str,
    location: str,
    agenda: str,
    happened: bool = False,
) -> dict[str, list[str]]:
    """The rules for a meeting's details; ``happened`` for one logged after the fact,
    which must have started already instead of lying ahead."""
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if timezone.is_naive(starts_at):
        # A naive time would be read in the server's zone, which is nobody's.
        errors["starts_at"] = [_("Give the time with its time zone.")]
    elif happened and starts_at > now:
        errors["starts_at"] = [_("That time is still ahead: schedule the meeting instead.")]
    elif happened and starts_at < now - timedelta(days=MAX_DAYS_BACK):
        errors["starts_at"] = [_("Meetings can be logged up to a year back.")]
    elif not happened and starts_at <= now:
        errors["starts_at"] = [_("Choose a time in the future.")]
    elif not happened and starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
        errors["starts_at"] = [_("Meetings can be planned up to a year ahead.")]
    if not isinstance(duration_minutes, int) or not (
        MIN_MINUTES <= duration_minutes <= MAX_MINUTES
    ):
        errors["duration_minutes"] = [
            _("A meeting lasts between %(min)s minutes and %(max)s hours.")
            % {"min": MIN_MINUTES, "max": MAX_MINUTES // 60}
        ]
    if format not in MEETING_FORMATS:
        errors["format"] = [_("Choose video, phone or in person.")]
    if len(location) > 300:
        errors["location"] = [_("Keep the place or link under 300 characters.")]
    if len(agenda) > 3000:
        errors["agenda"] = [_("Keep the agenda under 3000 characters.")]
    return errors


def _require_after_start(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting was cancelled."))
    if not meeting.has_happened():
        raise ValidationError(
            _("Notes and action items can be added once the meeting has started.")
        )


def _invite(
    meeting: Meeting,
    *,
    template: str,
    by: User,
    previously: dict[int, str] | None = None,
    reason: str = "",
) -> None:
    """One email per person, each with the times in their own zone and the .ics in their
    own language (the same event: same UID and SEQUENCE)."""
    method = CANCEL if meeting.is_cancelled else REQUEST
    mentorship = meeting.mentorship
    for person in (mentorship.mentee, mentorship.mentor):
        # The email is rendered in the person's language; what is worded here must be too.
        with translation.override(language_of(person)):
            attachment = outbox.Attachment(
                filename="invite.ics",
                content=build_ics(meeting, method=method),
                mimetype="text/calendar",
                params={"method": method},
            )
        outbox.enqueue(
            template,
            to=[person.email],
            context={
                "meeting": meeting,
                "name": person.get_full_name(),
                "other": mentorship.other_side(person).get_full_name(),
                "by": by.get_full_name(),
                "by_you": by.pk == person.pk,
                "when": _time_for(meeting, person),
                "previously": (previously or {}).get(person.pk, ""),
                "reason": reason,
            },
            # SEQUENCE is in the key: each version is sent once, however often it is saved.
            key=f"meeting:{meeting.pk}:{meeting.sequence}:{person.pk}",
            attachments=[attachment],
        )


# --- Writes ----------------------------------------------------------------------------


def _new_meeting(
    *,
    mentorship: Mentorship,
    by: User,
    happened: bool,
    extra_errors: dict[str, list[str]] | None = None,
    **details: Any,
) -> Meeting:
    """The checks and the row that scheduling and logging share: a participant of an
    active mentorship, with details that hold up (in the future, or past when it
    ``happened``)."""
    if not mentorship.has_participant(by):
        raise PermissionDenied
    _require_active(mentorship)
    details["location"] = details.get("location", "").strip()
    details["agenda"] = details.get("agenda", "").strip()
    errors = {**_check_details(**details, happened=happened), **(extra_errors or {})}
    if errors:
        raise ValidationError(errors)
    return Meeting.objects.create(mentorship=mentorship, scheduled_by=by, **details)


@transaction.atomic
def schedule_meeting(
    *,
    mentorship: Mentorship,
    by: User,
    starts_at: datetime,
    duration_minutes: int,
    format: str,
    location: str = "",
    agenda: str = "",
) -> Meeting:
    """Either side schedules a meeting; both get an invitation."""
    meeting = _new_meeting(
        mentorship=mentorship,
        by=by,
        happened=False,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        format=format,
        location=location,
        agenda=agenda,
    )
    _invite(meeting, template="meeting_invitation", by=by)
    return meeting


@transaction.atomic
def log_meeting(
    *,
    mentorship: Mentorship,
    by: User,
    starts_at: datetime,
    duration_minutes: int,
    format: str,
    location: str = "",
    agenda: str = "",
    notes: str = "",
) -> Meeting:
    """Either side records a meeting that already took place, with shared notes.

    Nobody is invited: a calendar invitation for a past event is noise, and the other
    person was there. Action items follow on the meeting's page."""
    notes = notes.strip()
    meeting = _new_meeting(
        mentorship=mentorship,
        by=by,
        happened=True,
        extra_errors={"notes": [_("Keep the notes under 5000 characters.")]}
        if len(notes) > 5000
        else None,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        format=format,
        location=location,
        agenda=agenda,
    )
    if notes:
        MeetingNote.objects.create(meeting=meeting, author=by, body=notes)
    return meeting


@transaction.atomic
def reschedule_meeting(
    *,
    meeting: Meeting,
    by: User,
    starts_at: datetime,
    duration_minutes: int,
    format: str,
    location: str = "",
    agenda: str = "",
) -> Meeting:
    """Change the time or details; both calendars get the updated event."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related(*RELATED).get(pk=meeting.pk)
    )
    if not meeting.mentorship.has_participant(by):
        raise PermissionDenied
    _require_active(meeting.mentorship)
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting was cancelled; schedule a new one instead."))
    if meeting.has_happened():
        raise ValidationError(_("This meeting has already started; schedule a new one instead."))
    location, agenda = location.strip(), agenda.strip()
    errors = _check_details(
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        format=format,
        location=location,
        agenda=agenda,
    )
    if errors:
        raise ValidationError(errors)
    values = {
        "starts_at": starts_at,
        "duration_minutes": duration_minutes,
        "format": format,
        "location": location,
        "agenda": agenda,
    }
    if all(getattr(meeting, name) == value for name, value in values.items()):
        return meeting  # a resubmitted form: nothing to tell anyone
    moved = meeting.starts_at != starts_at or meeting.duration_minutes != duration_minutes
    people = (meeting.mentorship.mentee, meeting.mentorship.mentor)
    # The old time, worded for each person, so the email can say what changed.
    previously = {p.pk: _time_for(meeting, p) for p in people} if moved else {}
    for name, value in values.items():
        setattr(meeting, name, value)
    meeting.sequence += 1
    meeting.save()
    _invite(meeting, template="meeting_updated", by=by, previously=previously)
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting: Meeting, by: User, reason: str = "") -> Meeting:
    """Either side cancels an upcoming meeting; calendars remove it."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related(*RELATED).get(pk=meeting.pk)
    )
    if not meeting.mentorship.has_participant(by):
        raise PermissionDenied
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is already cancelled."))
    if meeting.has_happened():
        raise ValidationError(_("This meeting has already started, so it can't be cancelled."))
    reason = reason.strip()
    if len(reason) > 1000:
        raise ValidationError({"reason": _("Keep the reason under 1000 characters.")})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_by = by
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = reason
    meeting.sequence += 1
    meeting.save()
    _invite(meeting, template="meeting_cancelled", by=by, reason=reason)
    return meeting


@transaction.atomic
def add_note(*, meeting: Meeting, by: User, body: str, is_private: bool = False) -> MeetingNote:
    """A note after a meeting: shared with the other side and the programme admins, or
    private to its writer."""
    meeting = Meeting.objects.select_related(*RELATED).get(pk=meeting.pk)
    if not meeting.mentorship.has_participant(by):
        raise PermissionDenied
    _require_active(meeting.mentorship)
    _require_after_start(meeting)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the note first.")})
    if len(body) > 5000:
        raise ValidationError({"body": _("Keep a note under 5000 characters.")})
    return MeetingNote.objects.create(meeting=meeting, author=by, body=body, is_private=is_private)


@transaction.atomic
def add_action_item(
    *,
    meeting: Meeting,
    by: User,
    owner: User,
    title: str,
    due_on: date | None = None,
    goal: Goal | None = None,
) -> ActionItem:
    """Something one of the two agreed to do, optionally towards one of their goals."""
    meeting = Meeting.objects.select_related(*RELATED).get(pk=meeting.pk)
    mentorship = meeting.mentorship
    if not mentorship.has_participant(by):
        raise PermissionDenied
    _require_active(mentorship)
    _require_after_start(meeting)
    errors: dict[str, str] = {}
    title = " ".join(title.split())
    if not title:
        errors["title"] = _("Say what will be done.")
    elif len(title) > 200:
        errors["title"] = _("Keep it under %(limit)s characters.") % {"limit": 200}
    if owner.pk not in (mentorship.mentee.pk, mentorship.mentor.pk):
        errors["owner"] = _("The owner is you or the other person in this mentorship.")
    # "Today" is the writer's, so a due date of today is fine anywhere in the world.
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(zone_of(by))).date()
    if due_on is not None and due_on < today:
        errors["due_on"] = _("Choose a due date from today on.")
    if goal is not None and goal.mentorship_id != mentorship.pk:
        errors["goal"] = _("Link a goal of this mentorship.")
    if errors:
        raise ValidationError(errors)
    return ActionItem.objects.create(
        meeting=meeting, owner=owner, title=title, due_on=due_on, goal=goal, created_by=by
    )


@transaction.atomic
def set_action_item_done(*, item: ActionItem, by: User, done: bool) -> ActionItem:
    """Tick an action item off, or open it again. Setting the state it has is a no-op."""
    item = (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related(
            "meeting__mentorship__mentee_enrollment", "meeting__mentorship__mentor_enrollment"
        )
        .get(pk=item.pk)
    )
    if not item.meeting.mentorship.has_participant(by):
        raise PermissionDenied
    _require_active(item.meeting.mentorship)
    if done != item.is_done:
        item.done_at = timezone.now() if done else None
        item.save(update_fields=["done_at"])
    return item
