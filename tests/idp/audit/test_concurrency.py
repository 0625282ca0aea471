"""Appends from many workers at once, with sealers running at the same time, make one chain
(SQLite and PostgreSQL); appends take no lock; an entry that commits late is sealed late,
never skipped."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from tests.idp.audit.conftest import verify


def test_concurrent_appends_and_sealers_make_one_chain(oidc_app, audit_log):
    from idp import audit
    from idp.audit.models import AuditEntry
    from infra.db import get_db

    threads, each = 8, 15
    errors: list[BaseException] = []
    start = threading.Barrier(threads + 2)
    done = threading.Event()

    def worker(n: int) -> None:
        try:
            with oidc_app.app_context():
                start.wait(60)
                for i in range(each):
                    with get_db(oidc_app).transaction() as session:
                        audit.append(session, event="release.id_token", citizen_id=f"c{n}",
                                     client_id="agency", claims=["sub"], reference=f"{n}-{i}", log=audit_log)
        except BaseException as exc:
            errors.append(exc)

    def sealer() -> None:
        try:
            start.wait(60)
            while not done.is_set():
                audit.seal(get_db(oidc_app), log=audit_log)
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    sealers = [threading.Thread(target=sealer) for _ in range(2)]
    for thread in pool + sealers:
        thread.start()
    for thread in pool:
        thread.join(120)
    done.set()
    for thread in sealers:
        thread.join(120)
    assert errors == []
    audit.seal(get_db(oidc_app), log=audit_log)
    report = verify(oidc_app)
    assert report.ok, report.problem
    assert (report.entries, report.pending) == (threads * each, 0)
    with get_db(oidc_app).read() as session:
        seqs = list(session.scalars(sa.select(AuditEntry.seq).order_by(AuditEntry.seq)))
        references = set(session.scalars(sa.select(AuditEntry.reference)))
    assert seqs == list(range(1, threads * each + 1))
    assert len(references) == threads * each


def test_a_rolled_back_append_leaves_no_entry_and_no_gap(oidc_app, audit_log):
    from idp import audit
    from idp.audit.models import AuditEntry
    from infra.db import get_db

    with oidc_app.app_context():
        try:
            with get_db(oidc_app).transaction() as session:
                audit.append(session, event="consent.given", citizen_id="c", reference="lost", log=audit_log)
                raise RuntimeError("the operation failed after logging")
        except RuntimeError:
            pass
        with get_db(oidc_app).transaction() as session:
            audit.append(session, event="consent.given", citizen_id="c", reference="kept", log=audit_log)
    assert audit.seal(get_db(oidc_app), log=audit_log) == 1
    with get_db(oidc_app).read() as session:
        rows = [(e.seq, e.reference) for e in session.scalars(sa.select(AuditEntry))]
    assert rows == [(1, "kept")]
    assert verify(oidc_app).ok


def test_appending_takes_no_lock_while_the_head_is_locked(oidc_app, audit_log):
    """A release commits while another transaction holds the chain head (a sealer)."""
    from idp import audit
    from idp.audit.log import lock_head
    from infra.db import get_db

    database = get_db(oidc_app)
    with oidc_app.app_context(), database.transaction() as holder:
        lock_head(holder)
        if database.engine.dialect.name == "postgresql":  # SQLite has one writer at a time
            with database.transaction() as session:
                audit.append(session, event="release.userinfo", citizen_id="c", log=audit_log)
    report = verify(oidc_app)
    assert report.ok and report.entries == 0


def test_an_entry_that_commits_after_later_ones_were_sealed_is_sealed_after_them(oidc_app, audit_log):
    """PostgreSQL takes ids at INSERT: a lower id can commit after higher ids were sealed. It
    must be sealed by the next run (never skipped), after them."""
    import pytest

    from idp import audit
    from idp.audit.models import AuditEntry
    from infra.db import get_db

    database = get_db(oidc_app)
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite commits one writer at a time: ids and commit order agree")
    with oidc_app.app_context():
        slow = database.sessionmaker()
        slow.begin()
        audit.append(slow, event="release.userinfo", citizen_id="slow", log=audit_log)
        slow.flush()
        with database.transaction() as session:
            audit.append(session, event="release.userinfo", citizen_id="fast", log=audit_log)
        assert audit.seal(database, log=audit_log) == 1  # only the committed one
        slow.commit()
        slow.close()
        assert audit.seal(database, log=audit_log) == 1
    with database.read() as session:
        rows = [(e.citizen_ref, e.seq) for e in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]
    assert rows == [("slow", 2), ("fast", 1)]
    report = verify(oidc_app)
    assert report.ok and report.entries == 2 and report.pending == 0
