"""Relationship health: is the pair working, and are they still meeting?

Daily (``goals.tasks.send_health_checks``), each function taking ``today`` (the local
date, injectable for tests) and safe to run any number of times:

- *Fit check*: two weeks after a mentorship's first meeting (or after its start, when
  no meeting has happened yet), each side is asked once "Is this working?".
- *Pulse*: then every ``Cohort.pulse_interval_days`` (30 by default, 0 = off) after the
  fit check, the same short question again.
- *Idle ending*: in a cohort with ``end_after_idle_days`` set, a mentorship idle that
  long (no meeting or message, goals.selectors.quiet_mentorships) ends, kindly and with
  the effects of a normal ending, but only after both sides were warned a week ahead.

A check is a row (FitCheck) created once per side and due day (database constraints),
emailed once (outbox key), and answered once. Only active mentorships and active
accounts are asked; the email goes to those with check-ins switched on in their email
settings, while the question also waits on the mentorship page. "Not a good fit" tells
the cohort's programme admins and offers the person the kind ending.
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.outbox import services as outbox
from goals.models import CheckAnswer, CheckKind, FitCheck, IdleNotice, Meeting
from goals.selectors import quiet_mentorships
from matching import services as matching
from matching.models import Cohort, Mentorship

FIT_CHECK_AFTER_DAYS = 14
# Idle endings are announced this many days ahead, and never sooner.
IDLE_NOTICE_DAYS = 7

_PEOPLE = ("mentee_enrollment__user__profile", "mentor_enrollment__user__profile")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def send_fit_checks(*, today: date | None = None) -> int:
    """Ask each side of mentorships two weeks past their first meeting (or their start)
    whether it is working. Returns how many checks were created."""
    today = today or timezone.localdate()
    first_met = (
        Meeting.objects.scheduled()
        .filter(mentorship=OuterRef("pk"), starts_at__lt=_start_of(today))
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    both_asked = (
        FitCheck.objects.filter(kind=CheckKind.FIT)
        .values("mentorship")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .values("mentorship")
    )
    mentorships = (
        Mentorship.objects.active()
        .exclude(pk__in=both_asked)
        .annotate(anchor=Coalesce(Subquery(first_met), F("started_at")))
        # Before the start of (today - 13 days): a local date 14 or more days ago.
        .filter(anchor__lt=_start_of(today - timedelta(days=FIT_CHECK_AFTER_DAYS - 1)))
        .select_related(*_PEOPLE)
        .order_by("pk")
    )
    created = 0
    for mentorship in mentorships.iterator(chunk_size=500):
        due_on = timezone.localdate(mentorship.anchor) + timedelta(days=FIT_CHECK_AFTER_DAYS)
        for person in (mentorship.mentee, mentorship.mentor):
            if _ask(mentorship, person, CheckKind.FIT, due_on) is not None:
                created += 1
    return created


def send_pulses(*, today: date | None = None) -> int:
    """The short pulse, every cohort's interval after each side's fit check; a missed
    day catches up with the latest pulse due, not with every one missed."""
    today = today or timezone.localdate()
    fit_checks = (
        FitCheck.objects.filter(
            kind=CheckKind.FIT,
            mentorship__status="active",
            mentorship__cohort__pulse_interval_days__gt=0,
            due_on__lt=today,
        )
        .select_related("mentorship__cohort", *(f"mentorship__{p}" for p in _PEOPLE))
        .order_by("pk")
    )
    created = 0
    for fit in fit_checks.iterator(chunk_size=500):
        interval = fit.mentorship.cohort.pulse_interval_days
        rounds = (today - fit.due_on).days // interval
        if rounds < 1:
            continue
        person = next(
            p for p in (fit.mentorship.mentee, fit.mentorship.mentor) if p.pk == fit.person_id
        )
        due_on = fit.due_on + timedelta(days=interval * rounds)
        if _ask(fit.mentorship, person, CheckKind.PULSE, due_on) is not None:
            created += 1
    return created


def _ask(mentorship: Mentorship, person: User, kind: str, due_on: date) -> FitCheck | None:
    """Create the check and email it, once; None when there was nothing new to ask."""
    if not person.is_active:
        return None
    lookup = {"mentorship": mentorship, "person": person, "kind": kind}
    if kind == CheckKind.PULSE:
        lookup["due_on"] = due_on
    if FitCheck.objects.filter(**lookup).exists():
        return None
    try:
        with transaction.atomic():
            check = FitCheck.objects.create(
                mentorship=mentorship, person=person, kind=kind, due_on=due_on
            )
            if _wants_check_ins(person):
                outbox.enqueue(
                    "fit_check" if kind == CheckKind.FIT else "pulse_check",
                    to=[person.email],
                    context={
                        "name": person.get_full_name(),
                        "other": mentorship.other_side(person).get_full_name(),
                        "mentorship": mentorship,
                        "check": check,
                    },
                    key=f"{kind}-check:{check.pk}",
                )
    except IntegrityError:  # a concurrent run asked first
        return None
    return check


def _wants_check_ins(user: User) -> bool:
    profile = getattr(user, "profile", None)
    return profile is not None and profile.email_check_ins


@transaction.atomic
def answer_check(*, check: FitCheck, by: User, answer: str, comment: str = "") -> FitCheck:
    """Record the person's answer, once. "Not a good fit" tells the programme admins."""
    if by.pk != check.person_id:
        raise PermissionDenied
    check = (
        FitCheck.objects.select_for_update().select_related("mentorship__cohort").get(pk=check.pk)
    )
    if check.is_answered:
        raise ValidationError(_("You have already answered this one. Thank you!"))
    if not check.mentorship.is_active:
        raise ValidationError(_("This mentorship has ended."))
    if answer not in CheckAnswer.values:
        raise ValidationError({"answer": _("Choose one of the answers.")})
    check.answer = answer
    check.comment = comment.strip()[:1000]
    check.answered_at = timezone.now()
    check.save()
    if answer == CheckAnswer.POOR_FIT:
        _tell_admins(check, by)
    return check


def _tell_admins(check: FitCheck, by: User) -> None:
    mentorship = check.mentorship
    cohort = mentorship.cohort
    url = reverse("admin:goals_fitcheck_changelist") + f"?cohort={cohort.pk}&answer__exact=poor_fit"
    for admin in cohort.admins.filter(is_active=True).order_by("pk"):
        outbox.enqueue(
            "fit_concern",
            to=[admin.email],
            context={
                "cohort": cohort,
                "person": by.get_full_name(),
                "other": mentorship.other_side(by).get_full_name(),
                "side": "mentee" if by.pk == mentorship.mentee_enrollment.user_id else "mentor",
                "comment": check.comment,
                "admin_path": url,
            },
            key=f"fit-concern:{check.pk}:{admin.pk}",
        )


def open_check(mentorship: Mentorship, user: User) -> FitCheck | None:
    """The latest unanswered check of ``user`` in ``mentorship``, when it is active."""
    if not mentorship.is_active:
        return None
    return (
        FitCheck.objects.filter(mentorship=mentorship, person=user, answered_at__isnull=True)
        .order_by("-due_on", "-pk")
        .first()
    )


def close_idle_mentorships(*, today: date | None = None) -> int:
    """Warn, then end, mentorships idle for their cohort's ``end_after_idle_days``.
    Returns how many were warned or ended."""
    today = today or timezone.localdate()
    done = 0
    for cohort in Cohort.objects.filter(end_after_idle_days__isnull=False, closed_at__isnull=True):
        days: int = cohort.end_after_idle_days or 0
        warn_from = max(days - IDLE_NOTICE_DAYS, 1)
        idle = (
            quiet_mentorships(today, days=warn_from)
            .filter(cohort=cohort)
            .select_related("cohort", *_PEOPLE)
            .order_by("pk")
        )
        for mentorship in idle:
            done += _warn_or_end(mentorship, days, today)
    return done


def _warn_or_end(mentorship: Mentorship, days: int, today: date) -> int:
    since: datetime = mentorship.quiet_since  # type: ignore[attr-defined]
    notice = IdleNotice.objects.filter(mentorship=mentorship, idle_since=since).first()
    if notice is None:
        # The day it would end, but never sooner than a full week from the warning.
        ends_on = max(
            timezone.localdate(since) + timedelta(days=days),
            today + timedelta(days=IDLE_NOTICE_DAYS),
        )
        return 1 if _warn(mentorship, since, ends_on=ends_on) else 0
    if today < notice.ends_on:
        return 0
    idle_days = (today - timezone.localdate(since)).days
    try:
        # The ending and its emails commit together: both, or neither for the next run.
        with transaction.atomic():
            mentorship = matching.end_idle_mentorship(
                mentorship=mentorship,
                reason=_(
                    "There was no meeting or message for %(days)s days, so the programme "
                    "closed the mentorship. Nobody is at fault: plans change. The mentee can "
                    "look for a mentor again."
                )
                % {"days": idle_days},
            )
            _tell_idle_ending(mentorship, notice, idle_days=idle_days)
    except ValidationError:  # ended meanwhile, by one of them
        return 0
    return 1


def _tell_idle_ending(mentorship: Mentorship, notice: IdleNotice, *, idle_days: int) -> None:
    """Each side's own email about the ending: why, after which notice, what now and
    whom to ask. Like the notice before it, it is news of an ending, not a reminder: it
    goes whatever the email settings, so nobody who was warned is left wondering."""
    cohort = mentorship.cohort
    # The people who run the programme, whom members may write to about it.
    admins = [
        {"name": admin.get_full_name(), "email": admin.email}
        for admin in cohort.admins.filter(is_active=True).order_by("pk")
    ]
    for person in (mentorship.mentee, mentorship.mentor):
        if not person.is_active:
            continue
        outbox.enqueue(
            "idle_ended",
            to=[person.email],
            context={
                "name": person.get_full_name(),
                "other": mentorship.other_side(person).get_full_name(),
                "is_mentee": person.pk == mentorship.mentee_enrollment.user_id,
                "mentorship": mentorship,
                "idle_days": idle_days,
                "warned_on": timezone.localdate(notice.warned_at),
                "ends_on": notice.ends_on,
                "admins": admins,
                "dashboard_path": reverse("dashboard"),
                "directory_path": reverse("matching:directory"),
            },
            key=f"idle-ended:{mentorship.pk}:{person.pk}",
        )


def _warn(mentorship: Mentorship, since: datetime, *, ends_on: date) -> bool:
    try:
        with transaction.atomic():
            notice = IdleNotice.objects.create(
                mentorship=mentorship, idle_since=since, ends_on=ends_on
            )
            for person in (mentorship.mentee, mentorship.mentor):
                # A notice of an ending is not a reminder: it goes whatever the settings.
                if not person.is_active:
                    continue
                outbox.enqueue(
                    "idle_warning",
                    to=[person.email],
                    context={
                        "name": person.get_full_name(),
                        "other": mentorship.other_side(person).get_full_name(),
                        "mentorship": mentorship,
                        "since": timezone.localdate(since),
                        "ends_on": ends_on,
                    },
                    key=f"idle-warning:{notice.pk}:{person.pk}",
                )
    except IntegrityError:  # a concurrent run warned first
        return False
    return True
