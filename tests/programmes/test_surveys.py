"""Surveys: who gets one, sending twice, the page behind the personal link, answering
once, and answers seen only by the admins of that cohort."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

import pytest

from matching.models import AuditAction, AuditEntry, EnrollmentStatus, Role
from programmes.admin_surveys import SurveyResponseAdmin
from programmes.models import GoalProgress, SurveyKind, SurveyResponse
from programmes.services.closing import close_cohort
from programmes.services.surveys import answer_survey, send_survey
from tests.factories import CohortFactory, make_programme_admin
from tests.helpers import emails
from tests.programmes.cohort_builders import enroll, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory(name="Autumn <i>leaders</i>", slug="autumn")


@pytest.fixture
def boss(cohort):
    return make_programme_admin(cohort)


@pytest.fixture
def people(cohort):
    """Two mentors, two mentees, one person in both roles, one who left, one deactivated."""
    both = person()
    return {
        "mentors": [enroll(cohort, Role.MENTOR), enroll(cohort, Role.MENTOR)],
        "mentees": [enroll(cohort, Role.MENTEE), enroll(cohort, Role.MENTEE)],
        "both": [enroll(cohort, Role.MENTOR, user=both), enroll(cohort, Role.MENTEE, user=both)],
        "left": enroll(cohort, Role.MENTEE, status=EnrollmentStatus.LEFT),
        "inactive": enroll(cohort, Role.MENTEE, user=person(user__is_active=False)),
    }


def test_each_active_participant_gets_one_survey_with_a_personal_link(cohort, boss, people):
    assert send_survey(cohort=cohort, kind=SurveyKind.MIDPOINT, by=boss) == 5
    responses = SurveyResponse.objects.filter(cohort=cohort, kind=SurveyKind.MIDPOINT)
    expected = {e.user for e in people["mentors"] + people["mentees"]} | {people["both"][0].user}
    assert {r.user for r in responses} == expected
    both = responses.get(user=people["both"][0].user)
    assert both.role == Role.MENTEE  # one survey, answered as mentee
    sent = emails("survey")
    assert len(sent) == 5
    for response in responses:
        (email,) = [e for e in sent if e.to == [response.user.email]]
        assert f"http://testserver{response.get_absolute_url()}" in email.body_text
        assert "Autumn <i>leaders</i>" in email.subject  # plain text, not escaped
    mentor_email = next(e for e in sent if e.to == [people["mentors"][0].user.email])
    assert "your mentees' goals" in mentor_email.body_text


def test_sending_twice_sends_nothing_more(cohort, boss, people):
    send_survey(cohort=cohort, kind=SurveyKind.MIDPOINT, by=boss)
    assert send_survey(cohort=cohort, kind=SurveyKind.MIDPOINT, by=boss) == 0
    assert len(emails("survey")) == 5
    assert SurveyResponse.objects.filter(cohort=cohort).count() == 5
    entries = AuditEntry.objects.filter(cohort=cohort, action=AuditAction.SURVEY_SENT)
    assert entries.count() == 1
    assert entries.get().details == {"kind": "midpoint", "sent": 5}


def test_a_later_joiner_gets_the_survey_on_the_next_send(cohort, boss, people):
    send_survey(cohort=cohort, kind=SurveyKind.MIDPOINT, by=boss)
    late = enroll(cohort, Role.MENTEE)
    assert send_survey(cohort=cohort, kind=SurveyKind.MIDPOINT, by=boss) == 1
    assert emails("survey")[-1].to == [late.user.email]


def test_the_end_survey_is_separate_from_the_mid_point_one(cohort, boss, people):
    send_survey(cohort=cohort, kind=SurveyKind.MIDPOINT, by=boss)
    assert send_survey(cohort=cohort, kind=SurveyKind.END, by=boss) == 5
    assert SurveyResponse.objects.filter(cohort=cohort).count() == 10


def test_only_the_cohorts_admins_send_surveys(cohort, people):
    other_admin = make_programme_admin(CohortFactory(name="Other", slug="other"))
    with pytest.raises(PermissionDenied):
        send_survey(cohort=cohort, kind=SurveyKind.MIDPOINT, by=other_admin)
    participant = people["mentors"][0].user
    with pytest.raises(PermissionDenied):
        send_survey(cohort=cohort, kind=SurveyKind.MIDPOINT, by=participant)
    assert not SurveyResponse.objects.exists()
    assert not emails("survey")


def test_unknown_kind_and_mid_point_after_closing_are_refused(cohort, boss, people):
    with pytest.raises(ValidationError):
        send_survey(cohort=cohort, kind="weekly", by=boss)
    close_cohort(cohort=cohort, by=boss)
    with pytest.raises(ValidationError, match="closed"):
        send_survey(cohort=cohort, kind=SurveyKind.MIDPOINT, by=boss)


# --- Answering --------------------------------------------------------------


@pytest.fixture
def response(cohort, boss, people) -> SurveyResponse:
    send_survey(cohort=cohort, kind=SurveyKind.MIDPOINT, by=boss)
    return SurveyResponse.objects.get(user=people["mentees"][0].user)


def test_answering_records_the_scores_once(response):
    answered = answer_survey(
        response=response, satisfaction=4, recommend=9, goal_progress=2, comments="  Good. "
    )
    assert answered.is_answered
    assert (answered.satisfaction, answered.recommend, answered.goal_progress) == (4, 9, 2)
    assert answered.comments == "Good."
    with pytest.raises(ValidationError, match="already answered"):
        answer_survey(response=response, satisfaction=1, recommend=0, goal_progress=0)
    response.refresh_from_db()
    assert (response.satisfaction, response.recommend) == (4, 9)


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"satisfaction": "4.5"}, "satisfaction"),
        ({"recommend": 11}, "recommend"),
        ({"recommend": -1}, "recommend"),
        ({"recommend": None}, "recommend"),
        ({"goal_progress": 4}, "goal_progress"),
        ({"comments": "x" * 3001}, "comments"),
    ],
)
def test_answers_out_of_range_are_refused(response, fields, bad):
    values = {"satisfaction": 3, "recommend": 7, "goal_progress": 1, "comments": "", **fields}
    with pytest.raises(ValidationError) as exc:
        answer_survey(response=response, **values)
    assert set(exc.value.error_dict) == {bad}
    response.refresh_from_db()
    assert not response.is_answered


def test_the_survey_page_opens_by_token_without_logging_in(client, response):
    page = client.get(response.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Autumn &lt;i&gt;leaders&lt;/i&gt;" in html
    assert 'name="satisfaction"' in html
    assert html.count('name="recommend"') == 11
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_an_unknown_token_is_not_found(client, response):
    assert client.get(reverse("programmes:survey", args=["nope"])).status_code == 404
    assert client.post(reverse("programmes:survey", args=["nope"]), {}).status_code == 404


def test_a_rejected_answer_shows_errors_by_the_fields_and_keeps_the_input(client, response):
    page = client.post(
        response.get_absolute_url(),
        {"recommend": "8", "goal_progress": "2", "comments": "Keep <this> text"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Choose how satisfied you are, from 1 to 5." in html
    assert 'id="id_recommend_8" value="8" checked' in html
    assert 'value="2" checked' in html
    assert "Keep &lt;this&gt; text" in html
    response.refresh_from_db()
    assert not response.is_answered


def test_answering_on_the_page_thanks_and_cannot_be_repeated(client, response):
    data = {"satisfaction": "5", "recommend": "10", "goal_progress": "3", "comments": "Lovely"}
    done = client.post(response.get_absolute_url(), data)
    assert done.status_code == 302
    assert done["Location"] == response.get_absolute_url()
    response.refresh_from_db()
    assert (response.satisfaction, response.recommend, response.goal_progress) == (5, 10, 3)
    assert response.goal_progress == GoalProgress.ALL
    thanks = client.get(response.get_absolute_url())
    assert b"Thank you" in thanks.content
    assert b'name="satisfaction"' not in thanks.content
    again = client.post(response.get_absolute_url(), {**data, "satisfaction": "1"})
    assert again.status_code == 200
    response.refresh_from_db()
    assert response.satisfaction == 5


# --- Who sees the answers ---------------------------------------------------


@pytest.fixture
def two_cohorts_answered(cohort, boss, people):
    other = CohortFactory(name="Other", slug="other")
    other_boss = make_programme_admin(other)
    outsider = enroll(other, Role.MENTEE)
    send_survey(cohort=cohort, kind=SurveyKind.MIDPOINT, by=boss)
    send_survey(cohort=other, kind=SurveyKind.MIDPOINT, by=other_boss)
    for response in SurveyResponse.objects.all():
        answer_survey(response=response, satisfaction=3, recommend=7, goal_progress=1)
    return other, other_boss, outsider


def _admin_queryset(user):
    request = RequestFactory().get("/")
    request.user = user
    return SurveyResponseAdmin(SurveyResponse, admin.site).get_queryset(request)


def test_the_survey_admin_shows_only_the_admins_cohorts(cohort, boss, two_cohorts_answered):
    _other, other_boss, outsider = two_cohorts_answered
    assert set(_admin_queryset(boss).values_list("cohort", flat=True)) == {cohort.pk}
    assert set(_admin_queryset(other_boss).values_list("user", flat=True)) == {outsider.user_id}
    staff_without_cohorts = make_programme_admin()
    assert not _admin_queryset(staff_without_cohorts).exists()


def test_the_survey_admin_is_read_only_and_hides_the_token(boss):
    model_admin = SurveyResponseAdmin(SurveyResponse, admin.site)
    request = RequestFactory().get("/")
    request.user = boss
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
    assert "token" not in model_admin.get_fields(request)


def test_the_survey_changelist_through_the_admin(client, cohort, boss, two_cohorts_answered):
    try:
        url = reverse("admin:programmes_surveyresponse_changelist")
    except NoReverseMatch:
        pytest.skip("programmes.admin does not import admin_surveys yet")
    other, _other_boss, outsider = two_cohorts_answered
    client.force_login(boss)
    page = client.get(url)
    assert page.status_code == 200
    assert outsider.user.email not in page.content.decode()
    mine = SurveyResponse.objects.filter(cohort=cohort).first()
    assert (
        client.get(reverse("admin:programmes_surveyresponse_change", args=[mine.pk])).status_code
        == 200
    )
    theirs = SurveyResponse.objects.get(cohort=other)
    assert client.get(
        reverse("admin:programmes_surveyresponse_change", args=[theirs.pk])
    ).status_code in (302, 404)
    participant = SurveyResponse.objects.filter(cohort=cohort).first().user
    client.force_login(participant)
    assert client.get(url).status_code == 302  # not staff: sent to the admin login


@pytest.mark.django_db
def test_a_garbage_survey_link_is_a_404(client):
    for token in ("%00", "a%00b", "x" * 300, "not a token"):
        assert client.get(f"/surveys/{token}/").status_code == 404
