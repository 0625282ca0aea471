"""idp_audit_0003: pending entries leave the chain's indexes (partial unique indexes on `seq`
and `hash`), with every existing entry kept and the same duplicates refused (issue 16)."""

from __future__ import annotations

import sqlalchemy as sa

INSERT = sa.text("INSERT INTO audit_entries (seq, prev_hash, hash, at, event, legal_basis, claims, citizen_ref) "
                 "VALUES (:seq, :prev, :hash, '2026-01-01 00:00:00+00:00', 'release.userinfo', 'consent', "
                 "'[]', 'c1')")
ROWS = "SELECT id, seq, hash FROM audit_entries ORDER BY id"


def _entry(seq: int | None, digest: str | None) -> dict[str, object]:
    return {"seq": seq, "prev": None if seq is None else "0" * 64, "hash": digest}


def _refused(engine: sa.Engine, entry: dict[str, object]) -> bool:
    try:
        with engine.begin() as connection:
            connection.execute(INSERT, entry)
    except sa.exc.IntegrityError:
        return True
    return False


def test_an_upgrade_keeps_sealed_and_pending_entries_and_refuses_the_same_duplicates(backend, tmp_path):
    from alembic import command

    from idp.schema import SCHEMA
    from infra.db import create_engine
    from tests.support.live import database_for

    with database_for(backend.name, tmp_path) as url:
        config = SCHEMA.alembic_config(url)
        command.upgrade(config, "idp@idp_account_0001")
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(INSERT, [_entry(1, "a" * 64), _entry(2, "b" * 64), _entry(None, None),
                                        _entry(None, None)])
            before = connection.execute(sa.text(ROWS)).all()
        try:
            command.upgrade(config, "idp_audit_0003")
            with engine.begin() as connection:
                assert connection.execute(sa.text(ROWS)).all() == before
                indexes = {i["name"]: i for i in sa.inspect(connection).get_indexes("audit_entries")}
            assert indexes["ix_audit_entries_seq"]["unique"] and indexes["ix_audit_entries_hash"]["unique"]
            assert _refused(engine, _entry(2, "c" * 64))  # a sealed seq again
            assert _refused(engine, _entry(3, "a" * 64))  # a sealed hash again
            assert not _refused(engine, _entry(None, None))  # pending entries never collide
            assert not _refused(engine, _entry(3, "c" * 64))

            command.downgrade(config, "idp_account_0001")
            with engine.begin() as connection:
                assert len(connection.execute(sa.text(ROWS)).all()) == 6
            assert _refused(engine, _entry(3, "d" * 64)) and _refused(engine, _entry(4, "c" * 64))
            command.upgrade(config, "heads")
            assert _refused(engine, _entry(1, "e" * 64))
        finally:
            engine.dispose()
