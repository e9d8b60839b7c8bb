"""Calendar invitations (RFC 5545 / iTIP) for meetings.

The UID stays the same for the life of a meeting and SEQUENCE grows with every change,
so a calendar that received the first invitation replaces the event on an update and
removes it on a cancellation instead of showing a second one.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

import icalendar

from accounts.models import User
from goals.models import Meeting

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PRODID = "-//Mentorship platform//Meetings//EN"


def meeting_uid(meeting: Meeting) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{meeting.uid}@{host}"


def _person(user: User) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = icalendar.vText(user.get_full_name())
    return address


def build_ics(meeting: Meeting, *, method: str = REQUEST, now: datetime | None = None) -> str:
    """The .ics text for ``meeting``: METHOD:REQUEST for a new or changed meeting,
    METHOD:CANCEL for a cancelled one. Every time is written in UTC."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"Unsupported iTIP method: {method}")
    mentorship = meeting.mentorship
    mentor, mentee = mentorship.mentor, mentorship.mentee
    # The scheduler may have deleted their account since; the mentor stands in then.
    organizer = meeting.scheduled_by or mentor

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (now or timezone.now()).astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    # Worded in the active language: the request's, or the recipient's for an email.
    event.add(
        "summary",
        _("Mentoring: %(mentor)s and %(mentee)s")
        % {"mentor": mentor.get_full_name(), "mentee": mentee.get_full_name()},
    )
    url = f"{settings.SITE_URL}{meeting.get_absolute_url()}"
    page = _("The meeting's page, for notes and action items: %(url)s") % {"url": url}
    description = f"{meeting.agenda.strip()}\n\n{page}" if meeting.agenda.strip() else page
    event.add("description", description)
    event.add("url", url)
    location = meeting.location.strip() or meeting.get_format_display()
    event.add("location", location)
    event.add("organizer", _person(organizer))
    for person in (mentor, mentee):
        attendee = _person(person)
        attendee.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["PARTSTAT"] = icalendar.vText(
            "ACCEPTED" if person.pk == organizer.pk else "NEEDS-ACTION"
        )
        event.add("attendee", attendee)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical().decode()
