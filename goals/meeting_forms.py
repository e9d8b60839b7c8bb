"""Forms for meetings. Times are typed in the person's own zone and stored in UTC."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import OnceForm, choice_field, model_choice_field
from goals.models import MEETING_FORMAT_CHOICES, Goal, Meeting, MeetingFormat
from goals.services.meetings import MAX_DAYS_BACK
from matching.models import Mentorship

DURATIONS = [
    (15, _("15 minutes")),
    (30, _("30 minutes")),
    (45, _("45 minutes")),
    (60, _("1 hour")),
    (90, _("1½ hours")),
    (120, _("2 hours")),
]


def local_datetime(day: date, at: time, zone: str) -> tuple[datetime | None, str]:
    """The instant ``day`` at ``at`` means in ``zone``, or None and why not.

    When clocks go back, a time such as 02:30 happens twice; the first one is meant,
    as in most calendar apps. When clocks go forward, 02:30 does not happen at all."""
    tz = zoneinfo.ZoneInfo(zone)
    naive = datetime.combine(day, at.replace(tzinfo=None, second=0, microsecond=0))
    aware = naive.replace(tzinfo=tz, fold=0)
    # A time in the gap does not survive a round trip through UTC.
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        later = aware.astimezone(UTC).astimezone(tz)
        return None, gettext(
            "%(time)s does not exist on that day in %(zone)s: the clocks go forward. "
            "Choose another time, such as %(later)s."
        ) % {"time": f"{at:%H:%M}", "zone": zone, "later": f"{later:%H:%M}"}
    return aware, ""


class MeetingForm(OnceForm):
    # A date field's value is ISO in every language (the browser shows it localised).
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("Duration"), choices=DURATIONS, coerce=int, initial=45
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=MEETING_FORMAT_CHOICES, initial=MeetingFormat.VIDEO
    )
    location = forms.CharField(
        label=_("Place or link"),
        max_length=300,
        required=False,
        help_text=_("A video-call link, a phone number, or where you will meet."),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you would like to talk about."),
    )

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        self.zone = zone
        super().__init__(*args, **kwargs)
        in_zone = gettext("In your time zone, %(zone)s.") % {"zone": zone}
        self.fields["date"].help_text = in_zone
        self.fields["time"].help_text = in_zone
        # A meeting made elsewhere (e.g. the admin) may last 75 minutes: keep it choosable.
        current = self.initial.get("duration_minutes")
        if current and current not in dict(DURATIONS):
            field = choice_field(self, "duration_minutes")
            minutes = ngettext("%(count)s minute", "%(count)s minutes", current) % {
                "count": current
            }
            field.choices = sorted([*DURATIONS, (current, minutes)])

    @classmethod
    def initial_for(cls, meeting: Meeting, zone: str) -> dict[str, Any]:
        local = meeting.starts_at.astimezone(zoneinfo.ZoneInfo(zone))
        return {
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": meeting.duration_minutes,
            "format": meeting.format,
            "location": meeting.location,
            "agenda": meeting.agenda,
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day, at = data.get("date"), data.get("time")
        if day is None or at is None:
            return data  # the field's own error says what is missing
        starts_at, problem = local_datetime(day, at, self.zone)
        if starts_at is None:
            self.add_error("time", problem)
        elif problem := self.check_when(starts_at):
            today = timezone.now().astimezone(zoneinfo.ZoneInfo(self.zone)).date()
            self.add_error("time" if day == today else "date", problem)
        else:
            data["starts_at"] = starts_at
        return data

    def check_when(self, starts_at: datetime) -> str:
        """Why this start will not do, or "" when it will."""
        if starts_at <= timezone.now():
            return gettext(
                "Choose a time in the future. "
                "To record a meeting that already happened, log it instead."
            )
        return ""

    def details(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"],
            "format": data["format"],
            "location": data["location"],
            "agenda": data["agenda"],
        }


class LogMeetingForm(MeetingForm):
    """A meeting that already happened, written down afterwards with its notes."""

    notes = forms.CharField(
        label=_("Shared notes"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "What you talked about and agreed. You both see them, and so do the "
            "programme's admins. Action items come next, on the meeting's page."
        ),
    )

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, zone=zone, **kwargs)
        self.fields["location"].help_text = gettext("Optional: where you met, or the call's link.")
        self.fields["agenda"].label = gettext("Topics")
        self.fields["agenda"].help_text = gettext(
            "Optional: what the meeting was about, in a line."
        )
        self.fields["agenda"].widget.attrs["rows"] = 2

    def check_when(self, starts_at: datetime) -> str:
        now = timezone.now()
        if starts_at > now:
            return gettext("That time is still ahead: schedule the meeting instead.")
        if starts_at < now - timedelta(days=MAX_DAYS_BACK):
            return gettext("Meetings can be logged up to a year back.")
        return ""

    def details(self) -> dict[str, Any]:
        return {**super().details(), "notes": self.cleaned_data["notes"]}


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional; it is included in the cancellation email."),
    )


class NoteForm(OnceForm):
    body = forms.CharField(
        label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_private = forms.BooleanField(
        label=_("Only for me"),
        required=False,
        help_text=_("Private notes are never shown to anyone else, programme admins included."),
    )


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name()


class ActionItemForm(OnceForm):
    title = forms.CharField(label=_("What will be done"), max_length=200)
    owner = _PersonChoice(queryset=User.objects.none(), empty_label=None, label=_("Who"))
    due_on = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    goal = forms.ModelChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        empty_label=_("No goal"),
        label=_("Towards goal"),
    )

    def __init__(self, *args: Any, mentorship: Mentorship, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [mentorship.mentee_enrollment.user_id, mentorship.mentor_enrollment.user_id]
        users = User.objects.filter(pk__in=people).select_related("profile")
        model_choice_field(self, "owner").queryset = users
        model_choice_field(self, "goal").queryset = mentorship.goals.all()
        # The options as lists: the two people are on the page already (no query for them,
        # nor a second one when the widget is drawn). Choosing is still checked against the
        # querysets.
        owners = sorted((mentorship.mentee, mentorship.mentor), key=lambda u: u.pk)
        model_choice_field(self, "owner").choices = [(u.pk, u.get_full_name()) for u in owners]
        model_choice_field(self, "goal").choices = [
            ("", gettext("No goal")),
            *mentorship.goals.values_list("pk", "title"),
        ]
