"""The group commit's statements with their values written in (`infra.db.pg_literal_statements`):
the very text psycopg's `ClientCursor.mogrify` writes, for every value, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg import ClientCursor
from psycopg.types.json import Json

from infra import db
from infra.db import pg_literal_statements
from tests.support.parts import POSTGRES_ADMIN_URL, missing

VALUES = [
    None, "plain", "it's", "back\\slash", "é ü 漢字 \U0001f600", "", "'; DROP TABLE x; --", "\n\t\r\x01",
    "{0} {} %s %(x)s", "nul\x00cut", "it's\\\x00", "\x00", uuid.uuid4(), dt.datetime.now(dt.UTC),
    dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
    dt.datetime(2026, 1, 2, 3, 4, 5, 12, tzinfo=ZoneInfo("America/El_Salvador")),
    dt.datetime(1, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 2, 3, 4, 5),  # naive: mogrify's
    Json({"x": [1, "é", "'\\"]}), Json(None), Json([]), Json({"a": 1}, dumps=lambda o: "{}"),
    True, False, 0, 7, -5, 2**70, -(2**70), 1.5, float("nan"), b"bytes", dt.date(2026, 1, 2),
]
STATEMENTS = ["%(a)s", "x = %(a)s::UUID and y LIKE 'a%%'", "%(a)s, %(b)s", "'{0}' {} {{ }} %(a)s %(b)s {a}"]


@pytest.fixture(scope="module")
def cursor():
    try:
        connection = psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=30)
    except psycopg.OperationalError as exc:
        missing(f"PostgreSQL is not reachable: {exc}")
    with connection:
        yield ClientCursor(connection)


def _either(write, sql, values):
    try:
        return write(sql, values)
    except Exception as exc:  # the same failure is what is compared
        return type(exc)


def test_every_value_is_written_as_mogrify_writes_it(cursor):
    statement = pg_literal_statements(cursor.connection, cursor.mogrify)
    for value in VALUES:
        for sql in STATEMENTS:
            values = {"a": value, "b": "z"}
            assert _either(statement, sql, values) == _either(cursor.mogrify, sql, values), (value, sql)


def test_random_text_is_escaped_as_libpq_escapes_it(cursor):
    statement = pg_literal_statements(cursor.connection, cursor.mogrify)
    alphabet = [chr(code) for code in range(1, 128)] + ["é", "漢", "\U0001f600", "\\", "'", "%"]
    chooser = random.Random(16)
    for _ in range(5_000):
        text = "".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, 24)))
        values = {"a": text, "b": Json({text: [text]})}
        assert statement("%(a)s %(b)s", values) == cursor.mogrify("%(a)s %(b)s", values)


def test_what_psycopg_refuses_is_refused_as_psycopg_refuses_it(cursor):
    statement = pg_literal_statements(cursor.connection, cursor.mogrify)
    for sql, values in [("%s", {"a": 1}), ("100% %(a)s", {"a": 1}), ("%(a)s %(b)s", {"a": 1})]:
        assert _either(statement, sql, values) == _either(cursor.mogrify, sql, values)
        assert isinstance(_either(statement, sql, values), type)


def test_the_text_runs(cursor):
    statement = pg_literal_statements(cursor.connection, cursor.mogrify)
    row = cursor.execute(statement("SELECT %(a)s::text, %(b)s, %(c)s::jsonb, %(d)s", {
        "a": "it's \\ é", "b": uuid.UUID(int=5), "c": Json({"k": ["v'"]}),
        "d": dt.datetime(2026, 1, 2, tzinfo=dt.UTC)})).fetchone()
    assert row == ("it's \\ é", uuid.UUID(int=5), {"k": ["v'"]}, dt.datetime(2026, 1, 2, tzinfo=dt.UTC))


def test_a_moment_written_again_is_written_at_its_own_offset(cursor):
    """Moments of a fixed offset are kept once written (`infra.db._MOMENTS`): the same instant
    at another offset, or in a zone with rules, is still written as mogrify writes it, each
    time, and a full keep starts again."""
    statement = pg_literal_statements(cursor.connection, cursor.mogrify)
    instant = dt.datetime(2026, 12, 6, 15, 4, 5, 123456, tzinfo=dt.UTC)
    same = [instant, instant.astimezone(dt.timezone(dt.timedelta(hours=-6))),
            instant.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")),
            instant.astimezone(ZoneInfo("America/El_Salvador")), instant.astimezone(dt.timezone(dt.timedelta(0), "Z")),
            instant.astimezone(dt.timezone(dt.timedelta(0)))]
    for _ in range(2):
        for value in same:
            assert statement("%(a)s", {"a": value}) == cursor.mogrify("%(a)s", {"a": value}), value
    for seconds in range(db.MOMENTS_KEPT + 10):
        value = instant + dt.timedelta(seconds=seconds)
        assert statement("%(a)s", {"a": value}) == cursor.mogrify("%(a)s", {"a": value})
    assert len(db._MOMENTS) <= db.MOMENTS_KEPT
