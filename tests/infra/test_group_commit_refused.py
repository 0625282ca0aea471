"""infra.group_commit: a conditional write's own refusal (`Write.refused`): the request whose
write the database refused raises it instead of the driver's error, alone; the others commit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from infra.db import get_db
from infra.group_commit import GroupCommit, Write
from tests.support.log_entries import committed_citizens, log_entry


class Refused(Exception):
    pass


def _refused(error: BaseException) -> BaseException | None:
    return Refused("no longer holds") if isinstance(error, sa.exc.IntegrityError) else None


@pytest.fixture
def once(fresh_app):
    with get_db(fresh_app).engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS refused_once"))
        connection.execute(sa.text("CREATE TABLE refused_once (id INTEGER PRIMARY KEY)"))
    yield Write(sa.text("INSERT INTO refused_once (id) VALUES (:id)"), {"id": 1}, refused=_refused)
    with get_db(fresh_app).engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE refused_once"))


def test_a_refused_write_raises_its_refusal_and_commits_nothing(fresh_app, once):
    group = GroupCommit(get_db(fresh_app).engine)
    with pytest.raises(Refused) as raised:
        group.commit([log_entry("c-1"), once, once])
    assert isinstance(raised.value.__cause__, sa.exc.IntegrityError)
    assert committed_citizens(fresh_app) == []


def test_a_refused_write_in_a_shared_batch_fails_its_request_alone(fresh_app, once):
    from infra.group_commit import _refusal, _Request

    group = GroupCommit(get_db(fresh_app).engine)
    good, bad = _Request(writes=[log_entry("c-1")], counts=()), _Request(writes=[once, once], counts=())
    group._run([good, bad])
    assert good.error is None and isinstance(_refusal(bad), Refused)
    assert committed_citizens(fresh_app) == ["c-1"]


def test_an_error_the_write_does_not_claim_is_raised_as_it_was(fresh_app):
    group = GroupCommit(get_db(fresh_app).engine)
    with get_db(fresh_app).engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS refused_twice"))
        connection.execute(sa.text("CREATE TABLE refused_twice (id INTEGER PRIMARY KEY)"))
    unclaimed = Write(sa.text("INSERT INTO refused_twice (id) VALUES (:id)"), {"id": 1}, refused=lambda _error: None)
    with pytest.raises(sa.exc.IntegrityError):
        group.commit([unclaimed, unclaimed])
    with get_db(fresh_app).engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE refused_twice"))
