"""The directory's cache (matching/directory.py, matching/cards.py) stays true.

Each test reads the directory as a mentee does, changes something the way the site does
(or the way another process would, unseen here), and reads it again. Writes are made
inside ``commit``, which runs what a real commit runs: a test's own transaction never
commits, and until it would, the directory reads the database instead of its cache.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from accounts.models import User
from matching import directory, selectors, versions
from matching.models import (
    Cohort,
    DirectoryVersion,
    Enrollment,
    Mentorship,
    MentorshipRequest,
    Role,
    Suggestion,
)
from matching.services import accept_request, default_cohort
from matching.versions import ACTIVITY, COHORT, EVERYTHING, MENTORS, PERSON, key
from privacy.services import delete_account
from profiles.models import Profile, Skill
from profiles.signals import profiles_changed
from programmes.models import Invitation
from programmes.services.closing import close_cohort
from programmes.services.invitations import accept_invitation
from tests.factories import ProfileFactory, UserFactory
from tests.matching.conftest import CohortFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db

CARD_NAME = re.compile(r'id="mentor-\d+-name"[^>]*>\s*<a\b[^>]*>([^<]*)</a>')
Commit = Callable[[], AbstractContextManager[object]]


@pytest.fixture
def commit(django_capture_on_commit_callbacks) -> Commit:
    """Writes made inside are followed by what their commit would run."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@dataclass
class World:
    """Two cohorts: Ada and Bo mentor in the community, Cy in the evening programme;
    Mia is a mentee in both and reads the directory through ``client``."""

    client: Client
    mia: User
    community: Cohort
    evening: Cohort
    ada: Enrollment
    bo: Enrollment
    cy: Enrollment


def _mentor(name: str, cohort: Cohort | None = None, **profile: object) -> Enrollment:
    person = ProfileFactory(
        display_name=name,
        wants_mentoring=False,
        wants_to_mentor=True,
        enrolled=cohort is None,
        **profile,
    ).user
    if cohort is None:
        return Enrollment.objects.get(user=person, cohort=default_cohort(), role=Role.MENTOR)
    return EnrollmentFactory(user=person, cohort=cohort, role=Role.MENTOR)


@pytest.fixture
def world(client: Client, commit: Commit) -> World:
    with commit():
        evening = CohortFactory(name="Evening programme")
        mia = ProfileFactory(display_name="Mia", wants_mentoring=True, wants_to_mentor=False).user
        EnrollmentFactory(user=mia, cohort=evening, role=Role.MENTEE)
        world = World(
            client=client,
            mia=mia,
            community=default_cohort(),
            evening=evening,
            ada=_mentor("Ada Mentor"),
            bo=_mentor("Bo Mentor"),
            cy=_mentor("Cy Mentor", evening),
        )
    client.force_login(mia)
    _names(client)  # sessions, content types
    return world


def _page(client: Client, **params: str) -> str:
    response = client.get(reverse("matching:directory"), params)
    assert response.status_code == 200
    return response.content.decode()


def _names(client: Client, **params: str) -> list[str]:
    return CARD_NAME.findall(_page(client, **params))


def _card(client: Client, name: str) -> str:
    cards = re.findall(r"<article\b.*?</article>", _page(client), re.S)
    return next(card for card in cards if name in card)


def _queries(client: Client, **params: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        _names(client, **params)
    return len(captured)


@dataclass
class Reads:
    """The cohorts whose mentors, and the enrollments whose cards, were read again."""

    cohorts: list[int]
    cards: list[int]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Reads]:
    seen = Reads(cohorts=[], cards=[])
    read_mentors, read_cards = directory._read_mentors, selectors.directory_mentors

    def mentors(cohort_id: int) -> directory.Mentors:
        seen.cohorts.append(cohort_id)
        return read_mentors(cohort_id)

    def cards(user: User, ids: list[int], fits: dict) -> list[Enrollment]:
        seen.cards.extend(ids)
        return read_cards(user, ids, fits)

    monkeypatch.setattr(directory, "_read_mentors", mentors)
    monkeypatch.setattr(selectors, "directory_mentors", cards)
    yield seen


def _forget_reads(reads: Reads) -> None:
    reads.cohorts.clear()
    reads.cards.clear()


def _with_mentee(mentor: Enrollment, commit: Commit) -> Mentorship:
    """A mentee of the mentor's cohort asks and is accepted, as the site would do it."""
    with commit():
        asker = ProfileFactory(wants_mentoring=True, wants_to_mentor=False, enrolled=False).user
        request = MentorshipRequest.objects.create(
            cohort=mentor.cohort,
            mentee_enrollment=EnrollmentFactory(user=asker, cohort=mentor.cohort, role=Role.MENTEE),
            mentor_enrollment=mentor,
            message="m" * 80,
        )
        return accept_request(request=request, by=mentor.user)


def _set_capacity(enrollment: Enrollment, capacity: int, commit: Commit) -> None:
    with commit():
        enrollment.capacity_override = capacity
        enrollment.save()


def _number(kind: int, object_id: int = 0) -> int:
    row = DirectoryVersion.objects.filter(pk=key(kind, object_id)).first()
    return row.number if row else 0


# --- Reading from the cache ---------------------------------------------------------------


def test_a_second_page_reads_no_mentor_from_the_database(world: World) -> None:
    directory.forget()
    first = _queries(world.client)
    second = _queries(world.client)
    # Per cohort, the mentors with their skills, languages and those names (5 queries)
    # and their activity (1); the cards' mentors with their skills and languages (3).
    assert second == first - 2 * 6 - 3
    assert _names(world.client) == ["Ada Mentor", "Bo Mentor", "Cy Mentor"]


def test_each_viewer_sees_their_own_fit_on_a_card_rendered_once(
    world: World, commit: Commit
) -> None:
    with commit():
        other = ProfileFactory(wants_mentoring=True, wants_to_mentor=False).user
    with commit():
        Suggestion.objects.all().delete()  # the engine's, computed as people joined
        for who, score, reason in (
            (world.mia, 0.82, "Teaches <Python>"),
            (other, 0.31, "Speaks Welsh"),
        ):
            Suggestion.objects.create(
                cohort=world.community,
                mentee_enrollment=Enrollment.objects.get(
                    user=who, cohort=world.community, role=Role.MENTEE
                ),
                mentor_enrollment=world.ada,
                rank=1,
                score=score,
                reasons=[reason],
                weights_version=1,
            )
    second = Client()
    second.force_login(other)

    mine = _card(world.client, "Ada")
    with CaptureQueriesContext(connection) as captured:
        theirs = _card(second, "Ada")
    assert "82% fit" in mine and "Teaches &lt;Python&gt;" in mine and "31%" not in mine
    assert "31% fit" in theirs and "Speaks Welsh" in theirs and "82%" not in theirs
    # the second viewer's page used the card the first one's rendered: no mentor profile
    # was read for it (the viewer's own language codes are, without the language table)
    assert not [q for q in captured if 'FROM "profiles_language"' in q["sql"]]
    assert "New mentor: no replies to measure yet" in mine + theirs
    assert "<!--" not in mine + theirs


# --- A change reads again only what it touched ---------------------------------------------


def test_a_profile_save_reads_again_only_that_mentors_cohorts_and_card(
    world: World, commit: Commit, reads: Reads
) -> None:
    _names(world.client)
    _forget_reads(reads)
    with commit():
        profile = world.ada.user.profile
        profile.headline = "Flies zeppelins"
        profile.save()

    assert "Flies zeppelins" in _card(world.client, "Ada Mentor")
    assert reads.cohorts == [world.community.pk], "the evening programme stays cached"
    assert reads.cards == [world.ada.pk], "Bo's and Cy's cards stay cached"
    assert _names(world.client, q="zeppelin") == ["Ada Mentor"]


def test_cards_show_a_renamed_mentor_and_places_taken(world: World, commit: Commit) -> None:
    _set_capacity(world.bo, 2, commit)
    assert "2 of 2 places free" in _card(world.client, "Bo Mentor")
    _with_mentee(world.bo, commit)
    assert "1 of 2 places free" in _card(world.client, "Bo Mentor")

    with commit():
        profile = world.bo.user.profile
        profile.display_name = "Bo Renamed"
        profile.save()
    assert "Bo Renamed" in _card(world.client, "Bo Renamed")


def test_activity_is_read_again_alone_and_places_follow_it(
    world: World, commit: Commit, reads: Reads
) -> None:
    _set_capacity(world.bo, 1, commit)
    assert _names(world.client, free_only="on") == ["Ada Mentor", "Bo Mentor", "Cy Mentor"]
    _with_mentee(world.bo, commit)
    _forget_reads(reads)

    with CaptureQueriesContext(connection) as captured:
        names = _names(world.client, free_only="on")
    assert names == ["Ada Mentor", "Cy Mentor"]
    assert reads.cohorts == [] and reads.cards == []
    warm = _queries(world.client, free_only="on")
    assert len(captured) == warm + 1, "only the community's activity (1 query) is read again"


def test_a_mentorship_in_one_programme_fills_the_mentors_place_in_another(
    world: World, commit: Commit
) -> None:
    """Bo's own capacity covers both programmes: a mentee in the community takes the
    place the evening programme's cached entries still offered."""
    with commit():
        Profile.objects.filter(user=world.bo.user).update(mentor_capacity=1)
        world.bo.user.profile.save()  # as saving the role page does
        in_evening = EnrollmentFactory(user=world.bo.user, cohort=world.evening, role=Role.MENTOR)
    assert "1 of 1 place free" in _card(world.client, "Bo Mentor")
    assert "Bo Mentor" in _names(world.client, free_only="on", cohort=str(world.evening.pk))

    _with_mentee(world.bo, commit)

    evening = _names(world.client, free_only="on", cohort=str(world.evening.pk))
    assert "Bo Mentor" not in evening
    cards = re.findall(r"<article\b.*?</article>", _page(world.client), re.S)
    bo_cards = [card for card in cards if "Bo Mentor" in card]
    assert len(bo_cards) == 2 and all("Full right now" in card for card in bo_cards)
    assert in_evening.pk


def test_a_cohort_renamed_renders_its_cards_again_and_no_others(
    world: World, commit: Commit, reads: Reads
) -> None:
    _names(world.client)
    _forget_reads(reads)
    with commit():
        world.evening.name = "Late programme"
        world.evening.save()
    assert "Late programme" in _card(world.client, "Cy Mentor")
    assert reads.cohorts == [world.evening.pk]
    assert reads.cards == [world.cy.pk]


def test_a_skill_renamed_reads_everything_again(world: World, commit: Commit, reads: Reads) -> None:
    skill = world.cy.user.profile.skills.first().skill
    _names(world.client)
    _forget_reads(reads)
    with commit():
        Skill.objects.filter(pk=skill.pk).update(name="Zeppelin piloting")
        Skill.objects.get(pk=skill.pk).save()
    assert "Zeppelin piloting" in _card(world.client, "Cy Mentor")
    assert sorted(reads.cohorts) == sorted([world.community.pk, world.evening.pk])


# --- Bulk writes ----------------------------------------------------------------------------


def test_closing_a_cohort_frees_its_mentors_places(
    world: World, commit: Commit, reads: Reads
) -> None:
    _set_capacity(world.cy, 1, commit)
    _with_mentee(world.cy, commit)
    assert "Cy Mentor" not in _names(world.client, free_only="on")
    _forget_reads(reads)

    with commit():
        boss = UserFactory(is_staff=True, is_superuser=True)
        close_cohort(cohort=world.evening, by=boss)  # completes mentorships with one update()
    assert "Cy Mentor" in _names(world.client, free_only="on")
    assert world.community.pk not in reads.cohorts


def test_a_deleted_account_leaves_the_directory(world: World, commit: Commit, reads: Reads) -> None:
    _names(world.client)
    _forget_reads(reads)
    with commit():
        delete_account(user=world.bo.user)  # leaves every cohort with one update()
    assert _names(world.client) == ["Ada Mentor", "Cy Mentor"]
    assert reads.cohorts == [world.community.pk]


def test_an_invited_mentor_is_listed(world: World, commit: Commit) -> None:
    with commit():
        dee = ProfileFactory(display_name="Dee", wants_mentoring=True, wants_to_mentor=False).user
    assert "Dee" not in _names(world.client)
    invitation = Invitation.objects.create(
        cohort=world.evening, email=dee.email, role=Role.MENTOR, capacity=3
    )
    with commit():
        accept_invitation(invitation=invitation, user=dee)
    assert "Dee" in _names(world.client, cohort=str(world.evening.pk))


def test_a_bulk_write_of_profiles_reads_everything_again(
    world: World, commit: Commit, reads: Reads
) -> None:
    _names(world.client)
    _forget_reads(reads)
    with commit():
        Profile.objects.filter(user=world.cy.user).update(headline="Flies zeppelins")
        profiles_changed.send(sender=Profile)  # as the demo and load seeds do
    assert _names(world.client, q="zeppelin") == ["Cy Mentor"]
    assert sorted(reads.cohorts) == sorted([world.community.pk, world.evening.pk])


# --- Several processes ----------------------------------------------------------------------


@pytest.fixture
def processes(settings) -> Callable[[str], None]:
    """Switch to the local memory of one of two processes; both start empty."""

    def switch(name: str) -> None:
        settings.CACHES = {
            **settings.CACHES,
            "directory": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"directory-test-{name}",
            },
        }

    for name in ("a", "b"):
        switch(name)
        caches["directory"].clear()
    return switch


def test_two_processes_agree_after_a_change_either_makes(
    world: World, commit: Commit, processes: Callable[[str], None], reads: Reads
) -> None:
    for name in ("a", "b"):
        processes(name)
        assert _names(world.client, q="zeppelin") == []
    _forget_reads(reads)

    processes("a")
    with commit():
        profile = world.ada.user.profile
        profile.headline = "Flies zeppelins"
        profile.save()
    assert _names(world.client, q="zeppelin") == ["Ada Mentor"]
    processes("b")
    assert _names(world.client, q="zeppelin") == ["Ada Mentor"]
    assert "Flies zeppelins" in _card(world.client, "Ada Mentor")
    # each process read the community again, and only it
    assert reads.cohorts == [world.community.pk, world.community.pk]


def test_another_process_change_shows_once_its_numbers_move(world: World) -> None:
    assert _names(world.client, q="zeppelin") == []
    # Written without signals, as this process sees another process's commit.
    Profile.objects.filter(user=world.bo.user).update(headline="Flies zeppelins")
    assert _names(world.client, q="zeppelin") == [], "the cached copy is used"
    versions._bump({key(PERSON, world.bo.user_id), key(MENTORS, world.community.pk)})
    assert _names(world.client, q="zeppelin") == ["Bo Mentor"]
    assert "Flies zeppelins" in _card(world.client, "Bo Mentor")


# --- Transactions ---------------------------------------------------------------------------


def test_a_transaction_sees_its_own_change_and_caches_nothing(world: World) -> None:
    _names(world.client)
    store = caches[directory.CACHE]
    profile = world.ada.user.profile
    profile.headline = "Flies zeppelins"
    profile.save()  # not committed yet

    assert versions.uncommitted()
    assert _names(world.client, q="zeppelin") == ["Ada Mentor"]
    assert "Flies zeppelins" in _card(world.client, "Ada Mentor")
    # nothing of it went into the cache, where other processes could see it
    assert not any("Flies zeppelins" in str(store.get(k)) for k in _card_keys(world))


def _card_keys(world: World) -> list[str]:
    pool = directory.pool([world.community.pk, world.evening.pk])
    return [k for e in pool.entries if (k := pool.card_key(e)) is not None]


def test_a_rolled_back_change_leaves_the_cache_in_use(world: World) -> None:
    _names(world.client)
    with pytest.raises(RuntimeError), transaction.atomic():
        profile = world.ada.user.profile
        profile.headline = "Flies zeppelins"
        profile.save()
        raise RuntimeError
    assert not versions.uncommitted()
    assert _queries(world.client) == _queries(world.client)
    assert _names(world.client, q="zeppelin") == []


def test_committed_changes_move_only_their_numbers(world: World, commit: Commit) -> None:
    def numbers() -> dict[str, int]:
        return {
            "everything": _number(EVERYTHING),
            "community": _number(COHORT, world.community.pk),
            "community mentors": _number(MENTORS, world.community.pk),
            "community activity": _number(ACTIVITY, world.community.pk),
            "evening mentors": _number(MENTORS, world.evening.pk),
            "ada": _number(PERSON, world.ada.user_id),
            "bo": _number(PERSON, world.bo.user_id),
        }

    before = numbers()
    with commit():
        world.mia.last_login = world.mia.date_joined
        world.mia.save(update_fields=["last_login"])  # as logging in does
    # nothing cached depends on it: the "recent" sort reads last logins when asked
    assert numbers() == before

    with commit():
        profile = world.ada.user.profile
        profile.years_experience = 12
        profile.save()
    assert numbers() == before | {
        "community mentors": before["community mentors"] + 1,
        "ada": before["ada"] + 1,
    }

    moved = numbers()
    _with_mentee(world.bo, commit)
    after = numbers()
    assert after["community activity"] == moved["community activity"] + 1
    assert after["ada"] == moved["ada"] and after["evening mentors"] == moved["evening mentors"]

    with commit() as callbacks:
        profile.save()
        assert numbers() == after, "numbers move only once the change is committed"
    assert callbacks


def test_a_transaction_moves_its_numbers_in_one_update(world: World, commit: Commit) -> None:
    profile = world.ada.user.profile
    with CaptureQueriesContext(connection) as captured, commit():
        profile.headline = "Flies zeppelins"
        profile.save()
        for skill in profile.skills.all():
            skill.level = 3
            skill.save()
        profile.languages.add("de")
        world.ada.capacity_override = 4
        world.ada.save()
    writes = [q for q in captured if q["sql"].startswith('UPDATE "matching_directoryversion"')]
    assert len(writes) == 1
