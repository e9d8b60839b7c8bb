"""Version numbers of what the mentor directory shows, kept in the database.

The directory's cached entries (matching/directory.py, matching/cards.py) are keyed by
these numbers, so a change only has to move the numbers of what it touched: every
process on every host reads the same rows, and an entry of an older number is simply
never asked for again. One ``DirectoryVersion`` row per thing counted; its id says what
it counts, as ``10 × the object's id + the kind`` (cohort 7's mentors: row 73):

- ``EVERYTHING`` (row 1): skill and language names, and bulk writes that say only that
  profiles changed (``profiles_changed``); every entry carries it;
- ``COHORT``: a cohort's own row (name, default capacity, closing), and with it every
  entry of that cohort;
- ``MENTORS``: who mentors in a cohort and what the filters read about them;
- ``ACTIVITY``: how many places each of a cohort's mentors has taken, counting the
  mentorships of every programme that shares their capacity (all moved together);
- ``PERSON``: one mentor's profile, skills, languages, account and enrollments, which
  their rendered card shows. A person's number moves together with the ``MENTORS``
  number of each cohort they mentor in, in one statement.

A row that does not exist reads as 0; rows are never deleted.

Model signals and ``profiles_changed`` (the receivers at the bottom) only say what
changed; ``changed`` gathers it per transaction and moves the numbers once, after the
commit. So a bulk write (``QuerySet.update``, ``bulk_create``) is covered by any signalled
change in the same transaction to the same person or cohort: closing a cohort saves the
cohort, deleting an account saves the user, accepting an invitation saves the
enrollment. Until the commit, the transaction that made a change reads the directory
from the database, not from the cache (``uncommitted``): it must see its own change,
and nobody else may cache it before it is committed.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Model, Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from matching.models import Cohort, DirectoryVersion, Enrollment, Mentorship, Role
from profiles.models import Language, Profile, ProfileSkill, Skill
from profiles.signals import profiles_changed

EVERYTHING = 1
COHORT = 2
MENTORS = 3
ACTIVITY = 4
PERSON = 5
STEP = 10


def key(kind: int, object_id: int = 0) -> int:
    """The id of the row counting changes of this kind to this object."""
    return object_id * STEP + kind


def read(ids: Iterable[int]) -> dict[int, int]:
    """The current number of each row, 0 for rows never moved. One query."""
    return dict(DirectoryVersion.objects.filter(pk__in=set(ids)).values_list("pk", "number"))


def _bump(ids: set[int]) -> None:
    """Move these rows by one, creating the missing ones first. The increment is one
    UPDATE, so a reader sees a person's number and their cohorts' numbers move together."""
    if not ids:
        return
    ordered = sorted(ids)  # the same lock order in every writer: no deadlock
    DirectoryVersion.objects.bulk_create(
        [DirectoryVersion(pk=pk, number=0) for pk in ordered], ignore_conflicts=True
    )
    DirectoryVersion.objects.filter(pk__in=ordered).update(number=F("number") + 1)


class _Change:
    """What one transaction changed, moved once it has committed."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.people: set[int] = set()
        self.profiles: set[int] = set()
        self.mentors: set[int] = set()
        self.done = False

    def add(
        self,
        ids: Iterable[int],
        people: Iterable[int],
        profiles: Iterable[int],
        mentors: Iterable[int] = (),
    ) -> None:
        self.ids.update(ids)
        self.people.update(people)
        self.profiles.update(profiles)
        self.mentors.update(mentors)

    def commit(self) -> None:
        self.done = True
        ids = set(self.ids)
        if self.people or self.profiles:
            # Read now, after the commit: an enrollment made in the same transaction counts.
            mentoring = Enrollment.objects.filter(
                Q(user_id__in=self.people) | Q(user__profile__in=self.profiles),
                role=Role.MENTOR,
            ).values_list("user_id", "cohort_id")
            for user_id, cohort_id in mentoring:
                ids.update((key(PERSON, user_id), key(MENTORS, cohort_id)))
        if self.mentors:
            # A mentor's places are shared by their programmes without a limit of their
            # own: a mentorship here changes how many are free in each of those.
            sharing = Enrollment.objects.filter(
                user_id__in=Enrollment.objects.filter(pk__in=self.mentors).values("user_id"),
                role=Role.MENTOR,
            ).values_list("cohort_id", flat=True)
            ids.update(key(ACTIVITY, cohort_id) for cohort_id in sharing)
        _bump(ids)


def _pending() -> list[tuple[set[Any], _Change]]:
    """This transaction's changes not yet committed, with their savepoints."""
    if not connection.in_atomic_block:
        return []
    # run_on_commit is where Django keeps the callbacks of the open transaction, with
    # the savepoints each depends on; a rolled-back savepoint takes its own with it.
    return [
        (set(sids), change)
        for sids, func, *_ in connection.run_on_commit
        if isinstance(change := getattr(func, "__self__", None), _Change) and not change.done
    ]


def uncommitted() -> bool:
    """Whether this transaction changed what the directory shows: it then reads and
    renders from the database, and caches nothing."""
    return bool(_pending())


def changed(
    *,
    ids: Iterable[int] = (),
    people: Iterable[int] = (),
    profiles: Iterable[int] = (),
    mentors: Iterable[int] = (),
) -> None:
    """Something the directory shows changed: these rows (``key``), the cards and
    cohorts of these people (user ids) or profiles, and the activity of every cohort
    where the people of these mentor enrollments mentor, move once the transaction
    commits.
    """
    current = set(connection.savepoint_ids)
    for sids, change in reversed(_pending()):
        # Joining a change that a rollback would drop along with this one: one
        # statement per transaction, however many rows it wrote.
        if sids <= current:
            change.add(ids, people, profiles, mentors)
            return
    change = _Change()
    change.add(ids, people, profiles, mentors)
    transaction.on_commit(change.commit, robust=True)


# --- What tells it ------------------------------------------------------------------------


def _everything(**kwargs: Any) -> None:
    changed(ids=[key(EVERYTHING)])


def _cohort(sender: Any, instance: Cohort, **kwargs: Any) -> None:
    changed(ids=[key(COHORT, instance.pk)])


def _enrollment(sender: Any, instance: Enrollment, **kwargs: Any) -> None:
    if instance.role == Role.MENTOR:
        # A limit of the programme's own moves its mentorships in or out of the places
        # the mentor's other programmes share.
        changed(
            ids=[key(PERSON, instance.user_id), key(MENTORS, instance.cohort_id)],
            mentors=[instance.pk],
        )


def _mentorship(sender: Any, instance: Mentorship, **kwargs: Any) -> None:
    changed(ids=[key(ACTIVITY, instance.cohort_id)], mentors=[instance.mentor_enrollment_id])


def _user(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    # A login changes nothing kept: the "recent" sort reads last logins when asked.
    if not (update_fields and set(update_fields) == {"last_login"}):
        changed(people=[instance.pk])


def _profile(sender: Any, instance: Profile, **kwargs: Any) -> None:
    changed(people=[instance.user_id])


def _profile_part(sender: Any, instance: Any, **kwargs: Any) -> None:
    changed(profiles=[instance.profile_id])


def _languages(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        changed(profiles=[instance.pk])
    elif pk_set is None:  # a language cleared of all its speakers
        changed(ids=[key(EVERYTHING)])
    else:
        changed(profiles=pk_set)


def connect() -> None:
    """Called once, from MatchingConfig.ready()."""
    through = Profile.languages.through
    receivers: list[tuple[Callable[..., None], type[Model]]] = [
        (_everything, Skill),
        (_everything, Language),
        (_cohort, Cohort),
        (_enrollment, Enrollment),
        (_mentorship, Mentorship),
        (_user, get_user_model()),
        (_profile, Profile),
        (_profile_part, ProfileSkill),
        (_profile_part, through),
    ]
    for receiver, model in receivers:
        name = model._meta.label
        post_save.connect(receiver, sender=model, dispatch_uid=f"directory-s-{name}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"directory-d-{name}")
    m2m_changed.connect(_languages, sender=through, dispatch_uid="directory-m2m-languages")
    profiles_changed.connect(_everything, dispatch_uid="directory-profiles")
