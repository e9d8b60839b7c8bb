"""Meeting pages. Programme admins of the cohort read them; only the two participants
change anything, and to anyone else a change answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from core.forms import submit_form
from goals.ics import CANCEL, REQUEST, build_ics
from goals.meeting_forms import ActionItemForm, CancelForm, LogMeetingForm, MeetingForm, NoteForm
from goals.models import Meeting
from goals.services import meetings


@login_required
def meeting_list(request: AuthenticatedHttpRequest, mentorship_pk: int) -> HttpResponse:
    mentorship = meetings.mentorship_with_meetings_for(request.user, mentorship_pk)
    is_participant = mentorship.has_participant(request.user)
    zone = meetings.zone_of(request.user)
    all_meetings = list(meetings.meetings_of(mentorship))
    for meeting in all_meetings:
        # A display attribute for the template; mypy cannot know the instance has it.
        meeting.when = meetings.describe_time(meeting, zone)  # type: ignore[attr-defined]
    # A meeting under way is not "past" yet: it stays at the top, marked as such.
    upcoming = [m for m in all_meetings if not m.has_ended()]
    past = [m for m in reversed(all_meetings) if m.has_ended()]
    return render(
        request,
        "goals/meetings/meeting_list.html",
        {
            "mentorship": mentorship,
            "upcoming": upcoming,
            "past": past,
            "zone": zone,
            "is_participant": is_participant,
        },
    )


@login_required
def meeting_create(request: AuthenticatedHttpRequest, mentorship_pk: int) -> HttpResponse:
    mentorship = meetings.mentorship_with_meetings_for(request.user, mentorship_pk, to_change=True)
    zone = meetings.zone_of(request.user)
    form = MeetingForm(request.POST or None, zone=zone)
    if request.method == "POST" and (
        done := submit_form(
            request,
            form,
            lambda: meetings.schedule_meeting(
                mentorship=mentorship, by=request.user, **form.details()
            ),
            success=_("Meeting scheduled. You both have an invitation by email."),
        )
    ):
        return done
    return render(
        request,
        "goals/meetings/meeting_form.html",
        {"mentorship": mentorship, "form": form, "meeting": None, "zone": zone},
    )


@login_required
def meeting_log(request: AuthenticatedHttpRequest, mentorship_pk: int) -> HttpResponse:
    """Write down a meeting that already happened, with its notes; no invitations."""
    mentorship = meetings.mentorship_with_meetings_for(request.user, mentorship_pk, to_change=True)
    zone = meetings.zone_of(request.user)
    form = LogMeetingForm(request.POST or None, zone=zone)
    if request.method == "POST" and (
        done := submit_form(
            request,
            form,
            lambda: meetings.log_meeting(mentorship=mentorship, by=request.user, **form.details()),
            success=_("Meeting logged. Add what each of you will do next below."),
            # Straight on to the action items, with their form open.
            then=lambda meeting: f"{meeting.get_absolute_url()}?follow_up=1#actions-heading",
        )
    ):
        return done
    return render(
        request,
        "goals/meetings/meeting_log_form.html",
        {"mentorship": mentorship, "form": form, "zone": zone},
    )


@login_required
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meetings.meeting_for(request.user, pk, to_change=True)
    zone = meetings.zone_of(request.user)
    form = MeetingForm(
        request.POST or None, zone=zone, initial=MeetingForm.initial_for(meeting, zone)
    )
    if request.method == "POST" and (
        done := submit_form(
            request,
            form,
            lambda: meetings.reschedule_meeting(meeting=meeting, by=request.user, **form.details()),
            success=_("Meeting updated. You both have a new invitation by email."),
        )
    ):
        return done
    return render(
        request,
        "goals/meetings/meeting_form.html",
        {"mentorship": meeting.mentorship, "form": form, "meeting": meeting, "zone": zone},
    )


def _detail(request: AuthenticatedHttpRequest, meeting: Meeting, **forms: Form) -> HttpResponse:
    user = request.user
    mentorship = meeting.mentorship
    is_participant = mentorship.has_participant(user)
    has_happened = meeting.has_happened()
    is_in_progress = has_happened and not meeting.has_ended()
    can_follow_up = (
        is_participant and mentorship.is_active and has_happened and not meeting.is_cancelled
    )
    zone = meetings.zone_of(user)
    # A refusal that names no field (the meeting was cancelled meanwhile, say) is shown at
    # the top: the form it came from may no longer be on the page.
    problems = [e for form in forms.values() for e in form.non_field_errors()]
    context = {
        "problems": problems,
        "meeting": meeting,
        "mentorship": mentorship,
        "zone": zone,
        "when": meetings.describe_time(meeting, zone),
        "is_participant": is_participant,
        "has_happened": has_happened,
        "is_in_progress": is_in_progress,
        "has_ended": has_happened and not is_in_progress,
        # Just logged, or sent back to with a refused item: the action form stands open.
        "open_action_form": request.GET.get("follow_up") == "1" or "action_form" in forms,
        "can_change": is_participant and not has_happened and not meeting.is_cancelled,
        "can_follow_up": can_follow_up,
        # Admins and the other side get shared notes only: private ones stay with their writer.
        "notes": meetings.notes_of(meeting, readable_by=user),
        "action_items": meetings.action_items_of(meeting),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        # Built only when shown: its goal options cost a query.
        "action_form": forms.get("action_form")
        or (
            ActionItemForm(mentorship=mentorship, initial={"owner": user.pk})
            if can_follow_up
            else None
        ),
    }
    return render(request, "goals/meetings/meeting_detail.html", context)


@login_required
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, meetings.meeting_for(request.user, pk))


@login_required
@require_POST
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meetings.meeting_for(request.user, pk, to_change=True)
    form = CancelForm(request.POST)
    if done := submit_form(
        request,
        form,
        lambda: meetings.cancel_meeting(
            meeting=meeting, by=request.user, reason=form.cleaned_data["reason"]
        ),
        success=_("Meeting cancelled. You both have an email saying so."),
        then=meeting,
    ):
        return done
    return _detail(request, meeting, cancel_form=form)


@login_required
@require_POST
def meeting_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meetings.meeting_for(request.user, pk, to_change=True)
    form = NoteForm(request.POST)
    if done := submit_form(
        request,
        form,
        lambda: meetings.add_note(meeting=meeting, by=request.user, **form.cleaned_data),
        success=_("Note saved."),
        then=meeting,
    ):
        return done
    return _detail(request, meeting, note_form=form)


@login_required
@require_POST
def meeting_action(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meetings.meeting_for(request.user, pk, to_change=True)
    form = ActionItemForm(request.POST, mentorship=meeting.mentorship)
    if done := submit_form(
        request,
        form,
        lambda: meetings.add_action_item(meeting=meeting, by=request.user, **form.cleaned_data),
        success=_("Action item added."),
        then=meeting,
    ):
        return done
    return _detail(request, meeting, action_form=form)


@login_required
@require_POST
def action_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = meetings.action_item_for(request.user, pk)
    # The wanted state is sent, not "flip it", so a double click does not undo itself.
    done = request.POST.get("done") == "1"
    try:
        meetings.set_action_item_done(item=item, by=request.user, done=done)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(item.meeting)


@login_required
def meeting_ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meetings.meeting_for(request.user, pk, to_change=True)
    method = CANCEL if meeting.is_cancelled else REQUEST
    response = HttpResponse(
        build_ics(meeting, method=method),
        content_type=f"text/calendar; charset=utf-8; method={method}",
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
