"""Sessions read by mentorship/sessions.py behave as Django's database sessions do."""

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

import pytest

from mentorship.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back_its_data(django_assert_num_queries) -> None:
    saved = SessionStore()
    saved["recently_viewed"] = [3, 1, 2]
    saved.save()
    with django_assert_num_queries(1):
        again = SessionStore(saved.session_key)
        assert again["recently_viewed"] == [3, 1, 2]
    assert DjangoStore(saved.session_key)["recently_viewed"] == [3, 1, 2]


def test_an_expired_session_is_empty_and_is_not_reused() -> None:
    saved = SessionStore()
    saved["user"] = "42"
    saved.save()
    Session.objects.filter(session_key=saved.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    again = SessionStore(saved.session_key)
    assert again.load() == {}
    assert again.session_key is None
    again["user"] = "43"
    again.save()
    assert again.session_key != saved.session_key


def test_an_unknown_key_is_an_empty_session() -> None:
    assert dict(SessionStore("x" * 32).items()) == {}


def test_signed_in_pages_use_this_store(client, mentee) -> None:
    client.force_login(mentee)
    assert isinstance(client.session, SessionStore)
    assert client.get("/dashboard/").status_code == 200
    client.logout()
    assert client.get("/dashboard/").status_code == 302
