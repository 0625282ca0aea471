"""`Database.lazy_read`: a read session made only if the block uses it, closed on the way out
(an error in the block included, which goes on up)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from infra.db import Database


class _Schema:
    def heads(self, url: str) -> set[str]:
        return set()


@pytest.fixture
def database(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'lazy.db'}", schema=_Schema())
    yield db
    db.dispose()


def _sessions(database, monkeypatch) -> list:
    made: list = []
    factory = database.sessionmaker

    def make():
        session = factory()
        made.append(session)
        closed = session.close

        def close():
            made.append("closed")
            closed()

        session.close = close
        return session

    monkeypatch.setattr(database, "sessionmaker", make)
    return made


def test_an_unused_block_makes_no_session(database, monkeypatch):
    made = _sessions(database, monkeypatch)
    with database.lazy_read() as session:
        assert session is not None
    assert made == []


def test_a_used_block_reads_and_closes_its_session(database, monkeypatch):
    made = _sessions(database, monkeypatch)
    with database.lazy_read() as session:
        assert session.execute(sa.text("SELECT 41 + 1")).scalar() == 42
    assert len(made) == 2 and made[1] == "closed"


def test_an_error_in_the_block_closes_the_session_and_goes_on_up(database, monkeypatch):
    made = _sessions(database, monkeypatch)
    with pytest.raises(LookupError, match="not found"), database.lazy_read() as session:
        session.execute(sa.text("SELECT 1"))
        raise LookupError("not found")
    assert len(made) == 2 and made[1] == "closed"
    with pytest.raises(KeyError), database.lazy_read():
        raise KeyError("unused")
    assert len(made) == 2
