"""Stated preferences: in a cohort's preference window, mentees rank up to five mentors
they would like (and mentors the mentees who listed them, if the cohort lets them), and
cohort-wide matching takes those choices into account.

Writes are idempotent, so a double click changes nothing twice: adding someone already
listed keeps them where they are, moving names the target place, removing someone not
listed does nothing. Every write happens only while the window is open.

The engine hook (``stated_preferences``) turns the choices into what ``assign`` is given:
stable matching ranks stated choices first, in their order; optimal matching adds the
cohort's ``preference_bonus`` to the fit of each stated pair. Scores stored with a run,
and its metrics, stay the real fit.
"""

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext, pgettext

import numpy as np

from accounts.models import User
from matching.models import (
    MAX_PREFERENCES,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    MatchMode,
    MatchRunPair,
    MatchRunUnmatched,
    MatchWeights,
    Mentorship,
    Preference,
    PreferenceWindow,
    Role,
)
from matching.services.suggestions import Problem, build_problem

# Stable mode: a stated choice of rank r is lifted by (MAX_PREFERENCES + 1 - r) times this,
# above any fit (fits run from 0 to 1), so stated choices come first, in their order.
STATED_OFFSET = 2.0


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 3 -> "3rd", 4 -> "4th"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    # Each suffix its own message: other languages write ordinals their own way ("1.").
    words = {
        "st": pgettext("ordinal number", "%(n)sst"),
        "nd": pgettext("ordinal number", "%(n)snd"),
        "rd": pgettext("ordinal number", "%(n)srd"),
        "th": pgettext("ordinal number", "%(n)sth"),
    }
    return words[suffix] % {"n": n}


def local_time(moment: datetime, user: User) -> str:
    """A moment as this person reads it: in their profile's time zone, named."""
    profile = getattr(user, "profile", None)
    zone = profile.time_zone if profile else "UTC"
    # Django's date format, not strftime: the month is named in the active language.
    when = dateformat.format(
        moment.astimezone(zoneinfo.ZoneInfo(zone)),
        pgettext("date format: day, month, year and time", "j F Y, H:i"),
    )
    return f"{when} ({zone})"


def other_role(role: str) -> Role:
    return Role.MENTOR if role == Role.MENTEE else Role.MENTEE


def _name(enrollment: Enrollment) -> str:
    return enrollment.user.get_full_name()


# --- Writes -----------------------------------------------------------------


def _locked_chooser(chooser: Enrollment, by: User, now: datetime | None) -> Enrollment:
    """The chooser's enrollment, locked (so two tabs take turns), once every rule about
    who may choose, and when, holds."""
    if by.pk != chooser.user_id:
        raise PermissionDenied
    # of=self: the default ordering joins the cohort, whose row must not be locked.
    locked = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("cohort", "user__profile")
        .get(pk=chooser.pk)
    )
    cohort = locked.cohort
    if locked.status != EnrollmentStatus.ACTIVE:
        raise ValidationError(
            gettext("You are no longer taking part in %(cohort)s.") % {"cohort": cohort.name}
        )
    if not cohort.ranks(locked.role):
        raise ValidationError(
            gettext("In %(cohort)s, only mentees choose.") % {"cohort": cohort.name}
        )
    window = cohort.preference_window(now)
    if window == PreferenceWindow.NONE:
        raise ValidationError(
            gettext("%(cohort)s is not asking for choices.") % {"cohort": cohort.name}
        )
    if window == PreferenceWindow.UPCOMING:
        assert cohort.preferences_open_at is not None  # set whenever there is a window
        raise ValidationError(
            gettext("Choices for %(cohort)s open on %(when)s.")
            % {"cohort": cohort.name, "when": local_time(cohort.preferences_open_at, by)}
        )
    if window == PreferenceWindow.CLOSED:
        raise ValidationError(
            gettext("Choices for %(cohort)s have closed; they can't be changed.")
            % {"cohort": cohort.name}
        )
    if (
        locked.role == Role.MENTEE
        and Mentorship.objects.active().filter(mentee_enrollment=locked).exists()
    ):
        raise ValidationError(
            gettext("You already have a mentor in %(cohort)s.") % {"cohort": cohort.name}
        )
    return locked


def _listed(chooser: Enrollment) -> list[Preference]:
    return list(Preference.objects.filter(chooser=chooser).order_by("rank"))


def _rewrite(chooser: Enrollment, listed: list[Preference], order: list[int]) -> None:
    """Store the chooser's list as ``order`` (chosen enrollment ids, first choice first).

    Rows are written again rather than renumbered in place: swapping two ranks in place
    would break the (chooser, rank) constraint halfway, and a list has at most five rows.
    """
    created = {p.chosen_id: p.created_at for p in listed}
    Preference.objects.filter(chooser=chooser).delete()
    Preference.objects.bulk_create(
        Preference(
            cohort_id=chooser.cohort_id,
            chooser=chooser,
            chosen_id=chosen_id,
            rank=rank,
            created_at=created.get(chosen_id, timezone.now()),
        )
        for rank, chosen_id in enumerate(order, start=1)
    )


def _check_choosable(chooser: Enrollment, chosen: Enrollment) -> None:
    """The rules of the engine for this one pair, in the words a person understands."""
    cohort = chooser.cohort
    wanted = other_role(chooser.role)
    if (
        chosen.cohort_id != chooser.cohort_id
        or chosen.role != wanted
        or chosen.status != EnrollmentStatus.ACTIVE
    ):
        pick = (
            gettext("Pick a mentor of %(cohort)s.")
            if wanted == Role.MENTOR
            else gettext("Pick a mentee of %(cohort)s.")
        )
        raise ValidationError(pick % {"cohort": cohort.name})
    if chosen.user_id == chooser.user_id:
        raise ValidationError(gettext("You can't choose yourself."))
    if not chosen.user.is_active:
        raise ValidationError(
            gettext("%(name)s is no longer on the site.") % {"name": _name(chosen)}
        )
    mentee, mentor = (chooser, chosen) if chooser.role == Role.MENTEE else (chosen, chooser)
    if chooser.role == Role.MENTOR:
        if not Preference.objects.filter(chooser=chosen, chosen=chooser).exists():
            raise ValidationError(gettext("You can choose among the mentees who listed you."))
        if Mentorship.objects.active().filter(mentee_enrollment=mentee).exists():
            raise ValidationError(
                gettext("%(name)s already has a mentor in %(cohort)s.")
                % {"name": _name(chosen), "cohort": cohort.name}
            )
    problem = build_problem(cohort, mentees=[mentee], mentors=[mentor], read_only=True)
    if problem is None:
        raise ValidationError(
            gettext("%(name)s has not finished setting up their profile.") % {"name": _name(chosen)}
        )
    if problem.allowed[0, 0]:
        return
    if problem.free_places[0] <= 0:
        raise ValidationError(
            gettext("%(name)s has no free place in %(cohort)s right now.")
            % {"name": _name(mentor), "cohort": cohort.name}
            if chooser.role == Role.MENTEE
            else gettext("You have no free place in %(cohort)s right now.")
            % {"cohort": cohort.name}
        )
    languages = {lang.pk for lang in problem.mentees.profiles[0].languages.all()}
    if not languages & {lang.pk for lang in problem.mentors.profiles[0].languages.all()}:
        raise ValidationError(
            gettext("You and %(name)s share no language.") % {"name": _name(chosen)}
        )
    raise ValidationError(
        gettext(
            "The matching can't pair you with %(name)s: you work for the same "
            "organisation, a request between you was declined or is still waiting, a "
            "mentorship between you ended, or the suggestion was hidden."
        )
        % {"name": _name(chosen)}
    )


@transaction.atomic
def add_preference(
    *, chooser: Enrollment, chosen: Enrollment, by: User, now: datetime | None = None
) -> Preference:
    """Put ``chosen`` at the end of the chooser's list. Someone already listed stays
    where they are (so an add sent twice adds once)."""
    chooser = _locked_chooser(chooser, by, now)
    listed = _listed(chooser)
    for preference in listed:
        if preference.chosen_id == chosen.pk:
            return preference
    _check_choosable(chooser, chosen)
    if len(listed) >= MAX_PREFERENCES:
        raise ValidationError(
            gettext("You have %(count)s choices already, the most there can be. Remove one first.")
            % {"count": MAX_PREFERENCES}
        )
    return Preference.objects.create(
        cohort_id=chooser.cohort_id, chooser=chooser, chosen=chosen, rank=len(listed) + 1
    )


@transaction.atomic
def move_preference(
    *, chooser: Enrollment, chosen: Enrollment, rank: int, by: User, now: datetime | None = None
) -> Preference:
    """Give ``chosen`` the place ``rank`` in the list (the others close up around it).
    It names the place, not a step, so a move sent twice moves once."""
    chooser = _locked_chooser(chooser, by, now)
    listed = _listed(chooser)
    order = [p.chosen_id for p in listed]
    if chosen.pk not in order:
        raise ValidationError(
            gettext("%(name)s is not among your choices.") % {"name": _name(chosen)}
        )
    order.remove(chosen.pk)
    order.insert(min(max(int(rank), 1), len(listed)) - 1, chosen.pk)
    if order != [p.chosen_id for p in listed]:
        _rewrite(chooser, listed, order)
    return Preference.objects.get(chooser=chooser, chosen=chosen)


@transaction.atomic
def remove_preference(
    *, chooser: Enrollment, chosen: Enrollment, by: User, now: datetime | None = None
) -> None:
    """Take ``chosen`` off the list; the ones below move up. Nothing to do if absent."""
    chooser = _locked_chooser(chooser, by, now)
    listed = _listed(chooser)
    order = [p.chosen_id for p in listed]
    if chosen.pk in order:
        order.remove(chosen.pk)
        _rewrite(chooser, listed, order)


# --- The engine hook --------------------------------------------------------


def _weight_of(ranks: np.ndarray) -> np.ndarray:
    """A first choice counts fully, each lower place a fifth less (1, 0.8 ... 0.2)."""
    return (MAX_PREFERENCES + 1 - ranks) / MAX_PREFERENCES


@dataclass(frozen=True)
class StatedPreferences:
    """A cohort's stated choices laid over its problem, as (row, col, rank) triples of
    allowed pairs only: a choice the engine forbids never counts."""

    scores: np.ndarray
    allowed: np.ndarray
    bonus: float
    by_mentees: tuple[np.ndarray, np.ndarray, np.ndarray]
    by_mentors: tuple[np.ndarray, np.ndarray, np.ndarray]

    def _lifted(self, stated: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
        rows, cols, ranks = stated
        lifted = self.scores.copy()
        lifted[rows, cols] += STATED_OFFSET * (MAX_PREFERENCES + 1 - ranks)
        return lifted

    def mentee_scores(self, mode: str) -> np.ndarray:
        """What mentees' side of ``assign`` is given: the order they rank mentors by
        (stable), or the fit with the bonus of stated pairs (optimal)."""
        if not (self.by_mentees[0].size or self.by_mentors[0].size):
            return self.scores
        if mode == MatchMode.STABLE:
            return self._lifted(self.by_mentees) if self.by_mentees[0].size else self.scores
        boosted = self.scores.astype(np.float64)
        for rows, cols, ranks in (self.by_mentees, self.by_mentors):
            np.add.at(boosted, (rows, cols), self.bonus * _weight_of(ranks))
        return boosted

    def mentor_scores(self, mode: str) -> np.ndarray | None:
        """How mentors rank mentees in stable matching: their stated choices first,
        then by fit. None (the fit) when no mentor stated anything, and in optimal mode."""
        if mode != MatchMode.STABLE or not self.by_mentors[0].size:
            return None
        return self._lifted(self.by_mentors)


def _triples(
    preferences: Iterable[tuple[int, int, int]],
    rows: dict[int, int],
    cols: dict[int, int],
    allowed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    found = [(rows[a], cols[b], rank) for a, b, rank in preferences if a in rows and b in cols]
    triples = np.array(found, dtype=np.int64).reshape(-1, 3)
    keep = allowed[triples[:, 0], triples[:, 1]]
    return triples[keep, 0], triples[keep, 1], triples[keep, 2]


def stated_preferences(cohort: Cohort, problem: Problem) -> StatedPreferences:
    """The cohort's stated choices, for a run of ``problem``: called by ``_solve`` just
    before ``assign``. Mentors' choices count only when the cohort lets mentors rank."""
    row_of = {e.pk: i for i, e in enumerate(problem.mentees.enrollments)}
    col_of = {e.pk: j for j, e in enumerate(problem.mentors.enrollments)}
    stated = Preference.objects.filter(cohort=cohort).values_list(
        "chooser_id", "chosen_id", "rank", "chooser__role"
    )
    mentees, mentors = [], []
    for chooser, chosen, rank, role in stated:
        if role == Role.MENTEE:
            mentees.append((chooser, chosen, rank))
        elif cohort.has_mentor_preferences:
            # Stored as (mentor, mentee); the problem's cells are (mentee, mentor).
            mentors.append((chosen, chooser, rank))
    bonus = (
        MatchWeights.objects.filter(cohort=cohort, version=problem.weights_version)
        .values_list("preference_bonus", flat=True)
        .first()
    )
    return StatedPreferences(
        scores=problem.scores,
        allowed=problem.allowed,
        bonus=float(bonus if bonus is not None else 0.0),
        by_mentees=_triples(mentees, row_of, col_of, problem.allowed),
        by_mentors=_triples(mentors, row_of, col_of, problem.allowed),
    )


def note_stated_choices(
    cohort: Cohort, pairs: list[MatchRunPair], unmatched: list[MatchRunUnmatched]
) -> dict[str, int]:
    """Say in each drafted pair's reasons whether one side chose the other, and count,
    for the run's metrics, how many of the run's mentees stated choices and how many of
    those were given one of them."""
    in_run = {p.mentee_enrollment.pk for p in pairs} | {u.mentee_enrollment.pk for u in unmatched}
    stated = Preference.objects.filter(cohort=cohort).values_list(
        "chooser_id", "chosen_id", "rank", "chooser__role"
    )
    by_mentee: dict[tuple[int, int], int] = {}
    by_mentor: dict[tuple[int, int], int] = {}
    choosers: set[int] = set()
    for chooser, chosen, rank, role in stated:
        if role == Role.MENTEE:
            by_mentee[chooser, chosen] = rank
            choosers.add(chooser)
        elif cohort.has_mentor_preferences:
            by_mentor[chosen, chooser] = rank
    honoured = 0
    for pair in pairs:
        key = (pair.mentee_enrollment.pk, pair.mentor_enrollment.pk)
        notes = []
        if key in by_mentee:
            notes.append(f"Chosen by the mentee ({ordinal(by_mentee[key])} choice)")
            honoured += 1
        if key in by_mentor:
            notes.append(f"Chosen by the mentor ({ordinal(by_mentor[key])} choice)")
        pair.reasons = [*notes, *pair.reasons]
    return {"stated_choosers": len(choosers & in_run), "stated_choices_honoured": honoured}
