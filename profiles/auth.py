"""Authentication backends that load the signed-in person's profile with their account.

Every page reads ``request.user`` and ``request.user.profile`` (the onboarding check, the
navbar, most views), so this one statement runs on every request. It is written once per
process from the two models' fields instead of being built by the ORM each time, which
under load cost more than the query itself (about 1 ms of a worker's CPU per request on
the load-test machine against 0.3 ms): the same columns, the same LEFT JOIN, the same
conversions the ORM applies. Otherwise these are Django's and allauth's backends.
"""

import functools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import backends, get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Field, Model

from allauth.account import auth_backends

from profiles.models import Profile


@dataclass(frozen=True)
class _Columns:
    """One model's part of a hand-written SELECT: its fields and their converters."""

    model: type[Model]
    names: list[str]
    columns: list[str]
    converters: list[tuple[Any, list[Any]]]  # per field: its column expression, converters
    pk_index: int

    @classmethod
    def of(cls, model: type[Model], alias: str, connection: Any) -> "_Columns":
        fields: list[Field] = list(model._meta.concrete_fields)
        converters = []
        for field in fields:
            col = field.get_col(alias)
            converters.append(
                (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            )
        quote = connection.ops.quote_name
        return cls(
            model=model,
            names=[f.attname for f in fields],
            columns=[f"{alias}.{quote(f.column)}" for f in fields],
            converters=converters,
            pk_index=fields.index(model._meta.pk),
        )

    def instance(self, db: str, values: tuple[Any, ...], connection: Any) -> Model:
        converted = []
        for value, (col, converters) in zip(values, self.converters, strict=True):
            for convert in converters:
                value = convert(value, col, connection)
            converted.append(value)
        return self.model.from_db(db, self.names, converted)


@functools.cache
def _statement(db: str) -> tuple[str, _Columns, _Columns]:
    connection = connections[db]
    quote = connection.ops.quote_name
    user_model = get_user_model()
    user = _Columns.of(user_model, "u", connection)
    profile = _Columns.of(Profile, "p", connection)
    link = Profile._meta.get_field("user").column
    pk = user_model._meta.pk.column
    assert link is not None and pk is not None  # concrete fields always have a column
    sql = (
        f"SELECT {', '.join(user.columns + profile.columns)} "
        f"FROM {quote(user_model._meta.db_table)} u "
        f"LEFT OUTER JOIN {quote(Profile._meta.db_table)} p ON p.{quote(link)} = u."
        f"{quote(pk)} "
        f"WHERE u.{quote(pk)} = %s"
    )
    return sql, user, profile


def person(user_id: Any) -> Any:
    """The account with this id and its profile (None if they have none yet), or None."""
    user_model = get_user_model()
    db = router.db_for_read(user_model)
    connection = connections[db]
    sql, user_columns, profile_columns = _statement(db)
    pk = user_model._meta.pk
    try:
        key = pk.get_db_prep_value(pk.to_python(user_id), connection)
    except (TypeError, ValueError, ValidationError):  # a malformed id in a session: nobody
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(user_columns.names)
    user = user_columns.instance(db, row[:split], connection)
    profile = None
    if row[split + profile_columns.pk_index] is not None:  # NULL: no profile yet
        profile = profile_columns.instance(db, row[split:], connection)
        Profile._meta.get_field("user").set_cached_value(profile, user)
    user_model.profile.related.set_cached_value(user, profile)
    return user


class _ProfileAlong:
    def get_user(self, user_id: Any) -> Any:
        user = person(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(_ProfileAlong, backends.ModelBackend):
    pass


class AuthenticationBackend(_ProfileAlong, auth_backends.AuthenticationBackend):
    pass
