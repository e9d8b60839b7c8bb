"""Suggestions: the engine's top ten per mentee, with reasons, kept fresh without thrashing."""

from datetime import UTC, datetime

from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import translation

import numpy as np
import pytest

from matching.features import hashed_text, region_of
from matching.models import MatchWeights, Suggestion
from matching.reasons import all_in_words
from matching.services import decline_request, default_cohort, send_request, suggestions
from profiles.models import SkillKind
from profiles.services import SkillEntry, set_skills
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 5, 9, 30, 15, 123456, tzinfo=UTC)
MESSAGE = "I would love your help growing into a tech lead role over the next year, please."


def _mentee(**fields):
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=False, **fields)
    set_skills(
        profile=profile,
        kind=SkillKind.LEARN,
        entries=[
            SkillEntry("Python", 3),
            SkillEntry("Public speaking", 2),
            SkillEntry("Negotiation", 2),
        ],
    )
    return profile


def _mentor(skills=("Python",), **fields):
    profile = ProfileFactory(wants_mentoring=False, wants_to_mentor=True, **fields)
    set_skills(
        profile=profile,
        kind=SkillKind.EXPERTISE,
        entries=[SkillEntry(name, 3) for name in skills],
    )
    return profile


def _enrollment(profile, role):
    return profile.user.enrollments.get(cohort=default_cohort(), role=role)


def test_features_hash_text_stably_and_normalise_rows():
    matrix = hashed_text(["Lead a data team", "", "lead LEAD lead"])
    assert matrix.shape[0] == 3
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert norms[0] == pytest.approx(1) and norms[1] == 0 and norms[2] == pytest.approx(1)
    assert (hashed_text(["Lead a data team"]) != matrix[0]).nnz == 0
    assert region_of("Europe/Berlin") != region_of("Asia/Tokyo") and region_of("UTC") == -1


def test_recompute_stores_top_suggestions_with_reasons_best_first():
    mentee = _mentee(years_experience=2, industry="software", time_zone="Europe/Berlin")
    strong = _mentor(
        skills=("Python", "Public speaking", "Negotiation"),
        display_name="Strong Fit",
        years_experience=14,
        industry="software",
        time_zone="Europe/Paris",
    )
    weak = _mentor(skills=("Marketing",), display_name="Weak Fit", time_zone="Asia/Tokyo")
    count = suggestions.recompute_suggestions(cohort=default_cohort())
    assert count == 2
    rows = list(Suggestion.objects.filter(mentee_enrollment__user=mentee.user).order_by("rank"))
    assert [s.mentor_enrollment.user_id for s in rows] == [strong.user_id, weak.user_id]
    best = rows[0]
    assert best.score > rows[1].score
    assert best.weights_version == 1
    assert set(best.breakdown) >= {"skills", "goals", "experience", "timezone", "total"}
    assert 2 <= len(best.reasons) <= 4
    said = all_in_words(best.reasons)
    assert said[0] == "Shares 3 of your 3 learning goals: Python, public speaking, negotiation"
    assert "12 more years in software" in said
    assert "Same working hours" in said
    # The same stored row, read by someone whose language is German.
    with translation.override("de"):
        german = all_in_words(best.reasons)
    assert german[0] == "Teilt 3 Ihrer 3 Lernziele: Python, public speaking, negotiation"
    assert "12 Jahre mehr Erfahrung in Software" in german
    assert "Gleiche Arbeitszeiten" in german


def test_hard_constraints_keep_pairs_out():
    mentee = _mentee(languages=["en"])
    _mentor(display_name="No Shared Language", languages=["ja"])
    _mentor(display_name="Paused", is_accepting_requests=False)
    _mentor(display_name="Full", mentor_capacity=0)
    ok = _mentor(display_name="Fine")
    suggestions.recompute_suggestions(cohort=default_cohort())
    names = set(
        Suggestion.objects.filter(mentee_enrollment__user=mentee.user).values_list(
            "mentor_enrollment__user__profile__display_name", flat=True
        )
    )
    assert names == {ok.display_name}


def test_a_declined_pair_is_never_suggested_again():
    mentee = _mentee()
    mentor = _mentor()
    request = send_request(
        mentee=mentee.user, mentor_enrollment=_enrollment(mentor, "mentor"), message=MESSAGE
    )
    decline_request(request=request, by=mentor.user, reason="not_a_fit")
    suggestions.recompute_suggestions(cohort=default_cohort())
    assert not Suggestion.objects.filter(mentee_enrollment__user=mentee.user).exists()


def test_same_organisation_blocked_only_when_the_cohort_says_so():
    mentee = _mentee(organisation="Acme Corp")
    _mentor(organisation="acme  corp")
    suggestions.recompute_suggestions(cohort=default_cohort())
    assert Suggestion.objects.filter(mentee_enrollment__user=mentee.user).count() == 1
    weights = suggestions.current_weights(default_cohort())
    MatchWeights.objects.create(
        cohort=default_cohort(), version=weights.version + 1, block_same_organisation=True
    )
    suggestions.recompute_suggestions(cohort=default_cohort())
    assert Suggestion.objects.filter(mentee_enrollment__user=mentee.user).count() == 0


def test_new_weights_version_is_recorded_on_each_suggestion():
    _mentee()
    _mentor()
    MatchWeights.objects.create(cohort=default_cohort(), version=7, skills=1.0)
    suggestions.recompute_suggestions(cohort=default_cohort())
    assert set(Suggestion.objects.values_list("weights_version", flat=True)) == {7}


def test_dismissed_suggestions_stay_dismissed_after_recompute(client):
    mentee = _mentee()
    mentor = _mentor(display_name="Dismiss Me")
    suggestions.recompute_suggestions(cohort=default_cohort())
    suggestion = Suggestion.objects.get(mentee_enrollment__user=mentee.user)
    client.force_login(mentee.user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Dismiss Me" in page and "% fit" in page
    response = client.post(reverse("matching:suggestion-dismiss", args=[suggestion.pk]))
    assert response.status_code == 302
    suggestions.recompute_suggestions(cohort=default_cohort())
    assert list(Suggestion.objects.values_list("dismissed_at", flat=True)) != [None]
    assert Suggestion.objects.filter(dismissed_at__isnull=True).count() == 0
    client.get(reverse("dashboard"))  # shows, and so clears, the "won't suggest" notice
    assert mentor.display_name not in client.get(reverse("dashboard")).content.decode()


def test_only_the_mentee_can_dismiss_their_suggestion(client):
    mentee = _mentee()
    _mentor()
    suggestions.recompute_suggestions(cohort=default_cohort())
    suggestion = Suggestion.objects.get()
    stranger = ProfileFactory(wants_mentoring=True).user
    client.force_login(stranger)
    assert (
        client.post(reverse("matching:suggestion-dismiss", args=[suggestion.pk])).status_code == 404
    )
    client.logout()
    response = client.post(reverse("matching:suggestion-dismiss", args=[suggestion.pk]))
    assert response.status_code == 302 and "login" in response.url
    assert Suggestion.objects.get().dismissed_at is None
    assert mentee.user.pk != stranger.pk


def test_directory_best_fit_follows_stored_scores(client):
    mentee = _mentee()
    _mentor(skills=("Marketing",), display_name="Zed Weaker")
    _mentor(skills=("Python", "Negotiation"), display_name="Amy Stronger")
    suggestions.recompute_suggestions(cohort=default_cohort())
    client.force_login(mentee.user)
    page = client.get(reverse("matching:directory")).content.decode()
    assert page.index("Amy Stronger") < page.index("Zed Weaker")
    assert "% fit" in page


def test_recompute_requests_are_debounced(django_capture_on_commit_callbacks):
    _mentee()
    _mentor()
    cohort = default_cohort()
    cache.delete(f"suggestions:generation:{cohort.pk}")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        for _ in range(3):
            suggestions.request_recompute(cohort_ids=[cohort.pk])
    assert len(queued) == 3
    outcomes = [suggestions.run_if_latest(cohort_id=cohort.pk, generation=g) for g in (1, 2, 3)]
    assert outcomes[:2] == ["superseded", "superseded"]
    assert outcomes[2].startswith("computed")


def test_profile_edits_ask_for_a_recompute(django_capture_on_commit_callbacks):
    mentee = _mentee()
    cohort = default_cohort()
    before = cache.get(f"suggestions:generation:{cohort.pk}") or 0
    set_skills(profile=mentee, kind=SkillKind.LEARN, entries=[SkillEntry("Rust", 2)])
    assert cache.get(f"suggestions:generation:{cohort.pk}") == before + 1


def test_nightly_task_recomputes_every_running_cohort():
    from matching.tasks import recompute_all_suggestions

    _mentee()
    _mentor()
    assert recompute_all_suggestions.apply().get() >= 1
    assert Suggestion.objects.count() == 1


def test_reasons_use_singular_for_one_hour_and_one_year():
    _mentee(years_experience=4, time_zone="Africa/Abidjan", industry="finance")
    # Abidjan is UTC+0 and Bangkok UTC+7 all year (no daylight saving): one shared hour.
    _mentor(years_experience=5, time_zone="Asia/Bangkok", industry="finance")
    suggestions.recompute_suggestions(cohort=default_cohort())
    reasons = all_in_words(Suggestion.objects.get().reasons)
    assert "1 more year in finance" in reasons
    assert "1 hour of overlapping working time" in reasons


@pytest.mark.parametrize("who", ["counterpart", "other_cohort", "staff"])
def test_nobody_but_the_mentee_can_dismiss(client, who):
    from matching.models import Cohort
    from matching.services import join_cohort

    mentee = _mentee()
    mentor = _mentor()
    suggestions.recompute_suggestions(cohort=default_cohort())
    suggestion = Suggestion.objects.get()
    if who == "counterpart":
        actor = mentor.user
    elif who == "other_cohort":
        actor = ProfileFactory(wants_mentoring=True, enrolled=False).user
        other = Cohort.objects.create(name="Other", slug="other")
        join_cohort(user=actor, cohort=other, role="mentee")
    else:
        actor = ProfileFactory(user__is_staff=True, user__is_superuser=True).user
    client.force_login(actor)
    response = client.post(reverse("matching:suggestion-dismiss", args=[suggestion.pk]))
    assert response.status_code == 404
    assert Suggestion.objects.get().dismissed_at is None
    assert mentee.user_id != actor.pk


FIELDS = (
    "cohort_id",
    "mentee_enrollment_id",
    "mentor_enrollment_id",
    "rank",
    "score",
    "breakdown",
    "reasons",
    "weights_version",
    "computed_at",
    "dismissed_at",
    "digest",
)


def _stored() -> list[tuple]:
    return list(Suggestion.objects.order_by("mentee_enrollment_id", "rank").values_list(*FIELDS))


def _bump_weights() -> None:
    """A new weights version, the same values: every suggestion's digest changes."""
    latest = suggestions.current_weights(default_cohort())
    latest.pk = None
    latest.version += 1
    latest.save()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's; elsewhere the ORM writes"
)
def test_copy_stores_exactly_what_the_orm_stores(monkeypatch):
    """write_suggestions writes through COPY on PostgreSQL: the same rows as the ORM's,
    JSON with quotes and commas (the reasons) included, whether the rows are new, changed
    in place (through the temporary table) or gone."""
    mentors = []
    for n in range(3):
        _mentee(display_name=f"Mentee {n}", time_zone="Asia/Kolkata", industry="software")
        mentors.append(_mentor(skills=("Python", "Public speaking"), years_experience=10 + n))
    real = suggestions.write_suggestions
    stored = []
    for use_copy in (False, True):
        monkeypatch.setattr(
            suggestions, "write_suggestions", lambda u=use_copy, **kw: real(use_copy=u, **kw)
        )
        Suggestion.objects.all().delete()  # so that every row is written again
        MatchWeights.objects.exclude(version=1).delete()
        for mentor in mentors:
            mentor.mentor_capacity = 2
            mentor.save(update_fields=["mentor_capacity"])
        assert suggestions.recompute_suggestions(cohort=default_cohort(), now=NOW) == 9
        written = _stored()
        # Every row changes, and one mentor's pairs go: updates and deletes.
        _bump_weights()
        mentors[0].mentor_capacity = 0
        mentors[0].save(update_fields=["mentor_capacity"])
        later = NOW.replace(hour=11)
        assert suggestions.recompute_suggestions(cohort=default_cohort(), now=later) == 6
        rewritten = _stored()
        # The mentor comes back: their pairs are new again.
        mentors[0].mentor_capacity = 2
        mentors[0].save(update_fields=["mentor_capacity"])
        assert suggestions.recompute_suggestions(cohort=default_cohort(), now=later) == 9
        stored.append((written, rewritten, _stored()))
    by_orm, by_copy = stored
    assert any("," in reason for row in by_copy[0] for reason in row[6])
    assert {row[8] for row in by_copy[1]} == {later} and {row[7] for row in by_copy[1]} == {2}
    assert by_copy == by_orm


def _by_pair() -> dict[tuple[int, int], tuple]:
    return {
        (row[1], row[2]): row
        for row in Suggestion.objects.values_list(
            "pk",
            "mentee_enrollment_id",
            "mentor_enrollment_id",
            "rank",
            "score",
            "reasons",
            "computed_at",
        )
    }


def test_a_recompute_rewrites_only_the_suggestions_that_changed():
    for n in range(3):
        _mentee(display_name=f"Mentee {n}", years_experience=1)
    mentors = [
        _mentor(skills=("Python",) * (n + 1), display_name=f"Mentor {n}", years_experience=8 + n)
        for n in range(3)
    ]
    cohort = default_cohort()
    assert suggestions.recompute_suggestions(cohort=cohort, now=NOW) == 9
    before = _by_pair()

    # Nothing changed: nothing is rewritten, and the cohort says when it was computed.
    later = NOW.replace(hour=10)
    assert suggestions.recompute_suggestions(cohort=cohort, now=later) == 9
    assert _by_pair() == before
    cohort.refresh_from_db()
    assert cohort.suggestions_computed_at == later

    # One mentor gains experience: the rows whose content moved are rewritten in place,
    # with new reasons; the others stay as they were.
    changed = mentors[0]
    changed.years_experience = 3
    changed.save(update_fields=["years_experience"])
    assert suggestions.recompute_suggestions(cohort=cohort, now=later) == 9
    after = _by_pair()
    assert after.keys() == before.keys()
    rewritten = {pair for pair in after if after[pair][3:6] != before[pair][3:6]}
    assert rewritten, "the change moved some suggestions"
    for pair, row in after.items():
        assert row[0] == before[pair][0], "a suggestion keeps its row"
        assert (row[6] == later) is (pair in rewritten), pair
    mentor_enrollment = _enrollment(changed, "mentor").pk
    assert {pair[1] for pair in rewritten} >= {mentor_enrollment}
    assert any(
        "2 more years" in " ".join(all_in_words(after[p][5]))
        for p in after
        if p[1] == mentor_enrollment
    )


def test_a_recompute_drops_suggestions_that_no_longer_apply():
    mentee = _mentee()
    leaving = _mentor(display_name="Leaving")
    _mentor(display_name="Staying")
    cohort = default_cohort()
    suggestions.recompute_suggestions(cohort=cohort)
    assert Suggestion.objects.filter(mentee_enrollment__user=mentee.user).count() == 2
    leaving.mentor_capacity = 0
    leaving.save(update_fields=["mentor_capacity"])
    suggestions.recompute_suggestions(cohort=cohort)
    names = set(
        Suggestion.objects.filter(mentee_enrollment__user=mentee.user).values_list(
            "mentor_enrollment__user__profile__display_name", flat=True
        )
    )
    assert names == {"Staying"}
