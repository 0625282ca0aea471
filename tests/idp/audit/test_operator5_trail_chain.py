"""The operator audit trail (`registrar_audit`) is tamper-evident: every record is anchored in
the hash-chained data-sharing log, and `cedula audit verify` names an edited, deleted, moved or
inserted record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from infra.db import get_db
from tests.support.cli import cedula


def _actions(app, count: int = 3) -> list[int]:
    """`count` console actions; their record ids (the database's: not 1, 2, 3 everywhere)."""
    from idp.operator import services
    from idp.registrar.services import Actor

    start = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)
    with app.app_context():
        for n in range(count):
            with get_db(app).transaction() as session:
                services.record(session, actor=Actor.operator("ana"), action=f"agency.disabled.{n}",
                                now=start + timedelta(minutes=n), details={"client_id": f"agency-{n}"})
    with get_db(app).engine.begin() as conn:
        return list(conn.execute(sa.text("SELECT id FROM registrar_audit ORDER BY id")).scalars())[-count:]


def _sql(app, statement: str) -> None:
    with get_db(app).engine.begin() as conn:
        conn.execute(sa.text(statement))


def test_an_untouched_trail_verifies(oidc_app, audit_log):
    _actions(oidc_app)
    result = cedula(oidc_app, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "ok: 3 operator audit records match the log" in result.output


@pytest.mark.parametrize(("change", "n", "expected"), [
    ("UPDATE registrar_audit SET actor = 'operator:someone-else' WHERE id = {id}", 1, "was edited or moved"),
    ("UPDATE registrar_audit SET details = '{{\"client_id\": \"agency-9\"}}' WHERE id = {id}", 0,
     "was edited or moved"),
    ("DELETE FROM registrar_audit WHERE id = {id}", 1, "was deleted"),
    ("UPDATE registrar_audit SET at = '2026-11-01 00:00:00' WHERE id = {id}", 2, "was edited or moved"),
])
def test_a_changed_record_fails_verify(oidc_app, audit_log, change, n, expected):
    ids = _actions(oidc_app)
    _sql(oidc_app, change.format(id=ids[n]))
    expected = f"operator audit record {ids[n]} {expected}"
    result = cedula(oidc_app, "audit", "verify")
    assert result.exit_code == 1
    assert f"the operator audit trail was tampered with: {expected}" in result.output
    assert "Traceback" not in result.output


def test_reordered_records_fail_verify(oidc_app, audit_log):
    """Records 1 and 3 swap places (their ids exchanged): both no longer match their anchors."""
    first, _, last = _actions(oidc_app)
    _sql(oidc_app, f"UPDATE registrar_audit SET id = {last + 100} WHERE id = {first}")
    _sql(oidc_app, f"UPDATE registrar_audit SET id = {first} WHERE id = {last}")
    _sql(oidc_app, f"UPDATE registrar_audit SET id = {last} WHERE id = {last + 100}")
    result = cedula(oidc_app, "audit", "verify")
    assert result.exit_code == 1
    assert f"operator audit record {first} was edited or moved" in result.output


def test_an_inserted_record_fails_verify(oidc_app, audit_log):
    ids = _actions(oidc_app)
    ghost = ids[-1] + 1
    _sql(oidc_app, "INSERT INTO registrar_audit (id, at, actor, action, details) "
                   f"VALUES ({ghost}, '2026-12-01 10:00:00', 'operator:ghost', 'keys.rotated', '{{}}')")
    result = cedula(oidc_app, "audit", "verify")
    assert result.exit_code == 1
    assert f"operator audit record {ghost} is in no log entry" in result.output


def test_the_anchor_itself_is_chained(oidc_app, audit_log):
    """Rewriting the anchor to match an edited record breaks the data-sharing log instead."""
    from idp.registrar.models import RegistrarAuditEntry
    from idp.registrar.trail_proof import record_digest

    record = _actions(oidc_app)[1]
    cedula(oidc_app, "audit", "seal")
    _sql(oidc_app, f"UPDATE registrar_audit SET actor = 'operator:someone-else' WHERE id = {record}")
    with oidc_app.app_context(), get_db(oidc_app).read() as session:
        digest = record_digest(session.get(RegistrarAuditEntry, record))
    _sql(oidc_app, f"UPDATE audit_entries SET reference = 'operator-audit:{record}:{digest}' "
                   f"WHERE reference LIKE 'operator-audit:{record}:%'")
    result = cedula(oidc_app, "audit", "verify")
    assert result.exit_code == 1
    assert "the log was tampered with" in result.output


def test_records_older_than_anchoring_are_counted_not_condemned(oidc_app, audit_log):
    _sql(oidc_app, "INSERT INTO registrar_audit (at, actor, action, details) "
                   "VALUES ('2026-01-01 10:00:00', 'operator:old', 'keys.rotated', '{}')")
    with oidc_app.app_context():
        with get_db(oidc_app).transaction() as session:
            from idp.operator import services
            from idp.registrar.services import Actor

            services.record(session, actor=Actor.operator("ana"), action="agency.enabled",
                            now=datetime(2026, 12, 2, tzinfo=UTC))
    result = cedula(oidc_app, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "ok: 1 operator audit records match the log; 1 older records predate" in result.output


def test_verify_of_a_log_never_sealed_before_trusts_the_key_its_seal_makes(oidc_app, audit_log):
    """A new deployment whose sealer has not run yet: verify seals first (making the log's first
    key) and must then trust that key, not report its own checkpoint as re-signed."""
    from tests.idp.audit.conftest import fill

    fill(oidc_app, audit_log, 2, seal=False)
    result = cedula(oidc_app, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ok: 2 entries and 1 checkpoints verified"
