"""An entry between its write and its sealing (pending) is protected by the MAC the service
writes with it: someone with write access to the table who changes, forges or strips it is
caught by the sealer (which does not chain it) and named by `cedula audit verify` with what to
do; the MAC also catches a sealed entry rewritten after the newest checkpoint."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from idp import audit
from infra.db import get_db
from tests.idp.audit.conftest import fill, verify
from tests.support.cli import cedula


def _sql(app, statement: str, **values) -> None:
    with get_db(app).engine.begin() as conn:
        conn.execute(sa.text(statement), values)


def _pending_ids(app) -> list[int]:
    with get_db(app).engine.connect() as conn:
        return list(conn.scalars(sa.text("SELECT id FROM audit_entries WHERE seq IS NULL ORDER BY id")))


def test_a_pending_entry_changed_before_sealing_is_not_chained_and_is_named(oidc_app, audit_log, caplog):
    fill(oidc_app, audit_log, 2)
    fill(oidc_app, audit_log, 3, start=2, seal=False)
    changed = _pending_ids(oidc_app)[1]
    _sql(oidc_app, "UPDATE audit_entries SET client_id = 'otra-agencia' WHERE id = :id", id=changed)
    with caplog.at_level(logging.ERROR, logger="idp.audit.seal"):
        assert audit.seal(get_db(oidc_app), log=audit_log) == 2  # the other two are chained
        audit.seal(get_db(oidc_app), log=audit_log)  # logged once, not at every run
    assert _pending_ids(oidc_app) == [changed]
    logged = [r for r in caplog.records if r.getMessage() == "data-sharing log entries changed before sealing"]
    assert len(logged) == 1 and logged[0].entry_ids == [changed]

    report = verify(oidc_app)
    assert report.problem is not None and report.problem.kind == "pending"
    assert report.problem.entry_id == changed and report.entries == 4

    result = cedula(oidc_app, "audit", "verify")
    assert result.exit_code == 1
    assert f"pending entry id {changed}" in result.output
    assert "backup" in result.output and f"cedula audit accept {changed}" in result.output
    assert "Traceback" not in result.output
    assert cedula(oidc_app, "audit", "seal").exit_code == 1  # says entries stay pending


def test_putting_the_original_back_lets_it_be_sealed(oidc_app, audit_log):
    fill(oidc_app, audit_log, 1, seal=False)
    (entry,) = _pending_ids(oidc_app)
    _sql(oidc_app, "UPDATE audit_entries SET purpose = 'otra cosa' WHERE id = :id", id=entry)
    assert audit.seal(get_db(oidc_app), log=audit_log) == 0
    _sql(oidc_app, "UPDATE audit_entries SET purpose = 'Trámites' WHERE id = :id", id=entry)
    assert audit.seal(get_db(oidc_app), log=audit_log) == 1
    assert verify(oidc_app).ok


def test_a_forged_or_stripped_pending_entry_is_refused(oidc_app, audit_log):
    fill(oidc_app, audit_log, 2, seal=False)
    first, _second = _pending_ids(oidc_app)
    _sql(oidc_app, "UPDATE audit_entries SET mac = NULL WHERE id = :id", id=first)
    _sql(oidc_app, "INSERT INTO audit_entries (at, event, legal_basis, claims, citizen_ref, client_id, mac) "
                   "VALUES ('2026-01-01 00:00:00+00:00', 'release.userinfo', 'consent', '[\"sub\"]', 'c1', "
                   "'agency-0', :mac)", mac="0" * 64)
    assert audit.seal(get_db(oidc_app), log=audit_log) == 1
    forged = _pending_ids(oidc_app)
    assert len(forged) == 2 and forged[0] == first
    report = verify(oidc_app)
    assert report.problem.kind == "pending" and report.problem.entry_id == first


def test_accepting_an_entry_chains_it_as_it_is(oidc_app, audit_log):
    fill(oidc_app, audit_log, 1, seal=False)
    (entry,) = _pending_ids(oidc_app)
    _sql(oidc_app, "UPDATE audit_entries SET purpose = 'otra cosa' WHERE id = :id", id=entry)
    refused = cedula(oidc_app, "audit", "accept", "999999")
    assert refused.exit_code == 1 and "no pending entry with id 999999" in refused.output
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]  # the CLI sets the root's handlers
    logging.getLogger("idp.audit.cli").addHandler(handler)
    try:
        result = cedula(oidc_app, "audit", "accept", str(entry))
    finally:
        logging.getLogger("idp.audit.cli").removeHandler(handler)
    assert result.exit_code == 0, result.output
    assert [r.entry_ids for r in records if r.getMessage() == "data-sharing log entries accepted as they are"] \
        == [[entry]]
    assert _pending_ids(oidc_app) == []
    assert cedula(oidc_app, "audit", "verify").exit_code == 0


def test_a_sealed_entry_rewritten_after_the_newest_checkpoint_is_caught(oidc_app, audit_log):
    """Entry 7 is after the newest checkpoint (6): changing it and recomputing its hash and the
    head leaves the chain consistent; only the MAC shows it."""
    from idp.audit.chain import entry_hash
    from idp.audit.models import AuditEntry

    fill(oidc_app, audit_log, 7)
    _sql(oidc_app, "UPDATE audit_entries SET purpose = 'otra cosa' WHERE seq = 7")
    with get_db(oidc_app).read() as session:
        row = session.scalars(sa.select(AuditEntry).where(AuditEntry.seq == 7)).one()
        digest = entry_hash(seq=7, prev=row.prev_hash, body=row.body().to_json())
    _sql(oidc_app, "UPDATE audit_entries SET hash = :h WHERE seq = 7", h=digest)
    _sql(oidc_app, "UPDATE audit_chain_head SET hash = :h", h=digest)
    report = verify(oidc_app)
    assert (report.problem.seq, report.problem.kind) == (7, "altered")
    _sql(oidc_app, "UPDATE audit_entries SET mac = NULL WHERE seq = 7")  # nor by removing the MAC
    assert (verify(oidc_app).problem.seq, verify(oidc_app).problem.kind) == (7, "altered")
