"""Django's database sessions, with the one read every request makes written by hand.

Reading the session is a lookup by key among unexpired rows. The ORM builds that
statement anew on each request, which costs a worker several times what PostgreSQL spends
answering it; here it is written once. Saving, deleting, expiry and everything else are
Django's own (``django.contrib.sessions.backends.db``).
"""

import functools
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.db.models import Model
from django.utils import timezone


@functools.cache
def _read(model: type[Model], alias: str) -> str:
    quote = connections[alias].ops.quote_name
    meta = model._meta
    return (
        f"SELECT {quote(meta.get_field('session_data').column)} "
        f"FROM {quote(meta.db_table)} "
        f"WHERE {quote(meta.get_field('session_key').column)} = %s "
        f"AND {quote(meta.get_field('expire_date').column)} > %s"
    )


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        sql = _read(model, alias)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])
