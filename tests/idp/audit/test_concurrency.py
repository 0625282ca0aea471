"""Appends from many workers at once never fork the chain (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from tests.idp.audit.conftest import verify


def test_concurrent_appends_make_one_chain(oidc_app, audit_log):
    from idp import audit
    from idp.audit.models import AuditEntry
    from idp.db import get_db

    threads, each = 8, 15
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def worker(n: int) -> None:
        try:
            with oidc_app.app_context():
                start.wait()
                for i in range(each):
                    with get_db(oidc_app).transaction() as session:
                        audit.append(session, event="release.id_token", citizen_id=f"c{n}",
                                     client_id="agency", claims=["sub"], reference=f"{n}-{i}", log=audit_log)
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(120)
    assert errors == []
    report = verify(oidc_app)
    assert report.ok, report.problem
    assert report.entries == threads * each
    with get_db(oidc_app).read() as session:
        seqs = list(session.scalars(sa.select(AuditEntry.seq).order_by(AuditEntry.seq)))
        references = set(session.scalars(sa.select(AuditEntry.reference)))
    assert seqs == list(range(1, threads * each + 1))
    assert len(references) == threads * each


def test_a_rolled_back_append_gives_its_number_back(oidc_app, audit_log):
    from idp import audit
    from idp.db import get_db

    with oidc_app.app_context():
        try:
            with get_db(oidc_app).transaction() as session:
                audit.append(session, event="consent.given", citizen_id="c", log=audit_log)
                raise RuntimeError("the operation failed after logging")
        except RuntimeError:
            pass
        with get_db(oidc_app).transaction() as session:
            appended = audit.append(session, event="consent.given", citizen_id="c", log=audit_log)
    assert appended.seq == 1
    assert verify(oidc_app).ok
