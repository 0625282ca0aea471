"""An insider with write access to the database cuts the log's tail (entries, the checkpoints
that cover them, and the chain head, all made consistent) or restores an older copy and lets
the service write on from there. The database alone then holds a log that checks out; only a
checkpoint kept elsewhere (the published `/audit/checkpoint.json`, a citizen's downloaded log)
shows it, and `cedula audit verify --kept` checks the database against it."""

from __future__ import annotations

import json

import sqlalchemy as sa

from infra.db import get_db
from tests.idp.audit.conftest import checkpointed_bundle, fill, verify
from tests.support.cli import cedula


def _sql(app, statement: str, **params) -> None:
    with get_db(app).engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def _truncate_after(app, seq: int) -> None:
    """Cut the log after entry `seq`: its entries, the checkpoints after it, the head moved back."""
    from idp.audit.models import AuditEntry, ChainHead, Checkpoint

    with get_db(app).transaction() as session:
        session.execute(sa.delete(AuditEntry).where(AuditEntry.seq > seq))
        session.execute(sa.delete(Checkpoint).where(Checkpoint.seq > seq))
        last = session.scalars(sa.select(AuditEntry).where(AuditEntry.seq == seq)).one()
        newest = session.scalar(sa.select(sa.func.max(Checkpoint.seq)))
        head = session.get(ChainHead, 1)
        head.seq, head.hash = seq, last.hash
        head.checkpoint_seq = newest
        head.checkpoint_at = session.get(Checkpoint, newest).at


def _published(client) -> dict:
    response = client.get("/audit/checkpoint.json")
    assert response.status_code == 200, response.data
    return response.get_json()


def _kept(app, document) -> list:
    from idp.audit import trusted_keys
    from idp.audit.kept import read_kept

    with app.app_context():
        return read_kept(document, trusted=trusted_keys(app))


def _verify_kept(app, kept):
    from idp.audit import AUDIT_LOG, trusted_keys, verify_chain

    with app.app_context(), get_db(app).read() as session:
        return verify_chain(session, trusted=trusted_keys(app), entry_key=AUDIT_LOG.of(app).entry_key, kept=kept)


def test_the_newest_checkpoint_is_published_for_anyone_to_keep(oidc_app, audit_log):
    client = oidc_app.test_client()
    response = client.get("/audit/checkpoint.json")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found" and response.get_json()["error_description"]
    fill(oidc_app, audit_log, 12)  # checkpoints at 1, 6, 11
    published = _published(client)
    assert (published["seq"], published["kid"]) == (11, published["kid"])
    assert published["jws"].count(".") == 2 and len(published["head_hash"]) == 64
    assert _verify_kept(oidc_app, _kept(oidc_app, published)).ok


def test_a_truncated_tail_made_consistent_is_caught_by_a_kept_checkpoint(oidc_app, audit_log):
    fill(oidc_app, audit_log, 12)
    kept = _kept(oidc_app, _published(oidc_app.test_client()))
    _truncate_after(oidc_app, 9)
    assert verify(oidc_app).ok  # what the database alone says: a consistent prefix
    report = _verify_kept(oidc_app, kept)
    assert (report.problem.seq, report.problem.kind) == (10, "missing")
    assert "entries 10 to 11 are missing" in report.problem.message
    assert "ends at entry 9" in report.problem.message


def test_the_whole_log_deleted_is_caught_by_a_kept_checkpoint(oidc_app, audit_log):
    fill(oidc_app, audit_log, 7)
    kept = _kept(oidc_app, _published(oidc_app.test_client()))
    for table in ("audit_entries", "audit_checkpoints", "audit_chain_head"):
        _sql(oidc_app, f"DELETE FROM {table}")
    assert verify(oidc_app).ok
    report = _verify_kept(oidc_app, kept)
    assert (report.problem.seq, report.problem.kind) == (1, "missing")


def test_an_old_copy_restored_and_written_on_is_caught_by_a_kept_checkpoint(oidc_app, audit_log):
    """The tail cut, then the service seals new entries and signs a new checkpoint at the same
    seq: a valid signature over another log (an old checkpoint replayed against a new tail)."""
    fill(oidc_app, audit_log, 12)
    kept = _kept(oidc_app, _published(oidc_app.test_client()))
    _truncate_after(oidc_app, 7)
    fill(oidc_app, audit_log, 5, start=100, citizen="c7")  # entries 8-12, a checkpoint at 11 again
    assert verify(oidc_app).ok
    report = _verify_kept(oidc_app, kept)
    assert (report.problem.seq, report.problem.kind) == (11, "checkpoint")
    assert "between entry 7 and entry 11" in report.problem.message


def test_a_citizens_downloaded_log_serves_as_a_kept_checkpoint(oidc_app, audit_log):
    fill(oidc_app, audit_log, 13)
    bundle = json.loads(json.dumps(checkpointed_bundle(oidc_app, audit_log)))  # checkpoint at 13
    kept = _kept(oidc_app, {"format": "cedula-account-export/1", "log": bundle})
    assert max(k.seq for k in kept) == 13
    _truncate_after(oidc_app, 11)
    report = _verify_kept(oidc_app, kept)
    assert (report.problem.seq, report.problem.kind) == (12, "missing")


def test_a_kept_checkpoint_not_signed_by_a_log_key_is_refused(oidc_app, audit_log):
    import pytest

    fill(oidc_app, audit_log, 7)
    published = _published(oidc_app.test_client())
    header, payload, signature = published["jws"].split(".")
    forged = dict(published, jws=f"{header}.{payload}.{signature[::-1]}")
    with pytest.raises(ValueError, match=r"checkpoint at entry 6 .*signature"):
        _kept(oidc_app, forged)
    with pytest.raises(ValueError, match=r"no signed checkpoint"):
        _kept(oidc_app, {"entries": []})


def test_verify_kept_names_the_first_missing_entry(oidc_app, audit_log, tmp_path):
    fill(oidc_app, audit_log, 12)
    path = tmp_path / "checkpoint.json"
    path.write_text(json.dumps(_published(oidc_app.test_client())))
    result = cedula(oidc_app, "audit", "verify", "--kept", str(path))
    assert result.exit_code == 0, result.output
    assert "ok: 12 entries and 3 checkpoints verified, and 1 kept checkpoint" in result.output
    _truncate_after(oidc_app, 9)
    assert cedula(oidc_app, "audit", "verify").exit_code == 0
    result = cedula(oidc_app, "audit", "verify", "--kept", str(path))
    assert result.exit_code == 1, result.output
    assert "entries 10 to 11 are missing" in result.output and "(first bad entry: 10)" in result.output
    path.write_text("not a checkpoint")
    result = cedula(oidc_app, "audit", "verify", "--kept", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the kept checkpoint cannot be used" in result.output
