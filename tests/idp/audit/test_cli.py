"""`cedula audit verify` and `cedula audit checkpoint`, run as the operator runs them."""

from __future__ import annotations

import json

import sqlalchemy as sa

from infra.db import get_db
from tests.idp.audit.conftest import fill
from tests.support.cli import cedula


def _checkpointed_bundle(oidc_app, audit_log) -> dict:
    """Four entries, a checkpoint, and citizen c1's downloadable log."""
    from idp import audit

    fill(oidc_app, audit_log, 4)
    with oidc_app.app_context():
        with get_db(oidc_app).transaction() as session:
            audit.checkpoint(session)
        with get_db(oidc_app).read() as session:
            return audit.citizen_bundle(session, citizen_id="c1", issuer="http://localhost")


def test_verify_passes_then_names_the_tampered_row(oidc_app, audit_log):
    fill(oidc_app, audit_log, 7)
    result = cedula(oidc_app, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ok: 7 entries and 2 checkpoints verified"

    with get_db(oidc_app).engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_entries SET purpose = 'otra cosa' WHERE seq = 3"))
    result = cedula(oidc_app, "audit", "verify")
    assert result.exit_code == 1
    assert "entry 3 was altered or moved" in result.output and "(first bad entry: 3)" in result.output


def test_checkpoint_command_signs_the_head(oidc_app, audit_log):
    assert cedula(oidc_app, "audit", "checkpoint").output.strip() == "the log is empty"
    fill(oidc_app, audit_log, 3)  # checkpoint at 1 only
    result = cedula(oidc_app, "audit", "checkpoint")
    assert result.exit_code == 0 and result.output.strip() == "checkpoint at entry 3"
    assert "2 checkpoints" in cedula(oidc_app, "audit", "verify").output


def test_verify_file_checks_a_downloaded_log(oidc_app, audit_log, tmp_path):
    bundle = _checkpointed_bundle(oidc_app, audit_log)
    path = tmp_path / "log.json"
    path.write_text(json.dumps(bundle))
    result = cedula(oidc_app, "audit", "verify", "--file", str(path))
    assert result.exit_code == 0 and result.output.strip() == "ok: 2 entries proven against signed checkpoints"
    bundle["entries"][0]["body"]["agency"] = "someone-else"
    path.write_text(json.dumps(bundle))
    result = cedula(oidc_app, "audit", "verify", "--file", str(path))
    assert result.exit_code == 1 and "entry 1 was altered" in result.output


MALFORMED_KEYS = [
    '{"keys": [1]}',                                  # a key that is not an object
    '{"keys": [{"log_key_seq": [1]}]}',               # a seq that is not a number
    '{"keys": [{"log_key_seq": 1e400}]}',             # a seq that overflows to infinity
    '{"keys": [{"log_key_seq": Infinity}]}',
    "[" * 100_000,                                    # nested past the parser's recursion
    "\xff\xfe not text",
]


def test_a_malformed_keys_file_is_a_clear_error_not_a_traceback(oidc_app, audit_log, tmp_path):
    """`--keys` files are kept by hand; a damaged one printed a Python traceback."""
    bundle = tmp_path / "log.json"
    bundle.write_text("{}")
    for text in MALFORMED_KEYS:
        keys = tmp_path / "keys.json"
        keys.write_bytes(text.encode("latin-1"))
        result = cedula(oidc_app, "audit", "verify", "--file", str(bundle), "--keys", str(keys))
        assert result.exit_code == 1, (text[:40], result.output, result.exception)
        assert isinstance(result.exception, SystemExit), (text[:40], repr(result.exception))
        assert "the log's keys cannot be trusted" in result.output, text[:40]
        assert "Traceback" not in result.output


MALFORMED_LOGS = [
    "[" * 100_000,
    '{"format": "%s", "checkpoints": [], "entries": [{"seq": 1e400}], "segments": []}',
    '{"format": "%s", "checkpoints": [{"seq": Infinity}], "entries": [], "segments": []}',
]


def test_a_malformed_log_file_is_a_clear_error_not_a_traceback(oidc_app, audit_log, tmp_path):
    from idp.audit.export import FORMAT

    for text in MALFORMED_LOGS:
        path = tmp_path / "log.json"
        path.write_text(text.replace("%s", FORMAT))
        result = cedula(oidc_app, "audit", "verify", "--file", str(path))
        assert result.exit_code == 1, (text[:40], result.output, result.exception)
        assert isinstance(result.exception, SystemExit), (text[:40], repr(result.exception))
        assert "the log does not check out" in result.output, text[:40]


def test_verify_file_says_which_entries_no_checkpoint_proves(oidc_app, audit_log, tmp_path):
    """An entry listed as not yet checkpointed is not proven: a forged one added there must not
    pass under a plain `ok`."""
    bundle = _checkpointed_bundle(oidc_app, audit_log)
    forged = json.loads(json.dumps(bundle["entries"][0]))
    forged["seq"], forged["body"]["agency"], forged["body"]["claims"] = 99, "ministerio-x", ["national_id"]
    bundle["entries"].append(forged)
    bundle["not_yet_checkpointed"] = [99]
    path = tmp_path / "log.json"
    path.write_text(json.dumps(bundle))
    result = cedula(oidc_app, "audit", "verify", "--file", str(path))
    assert result.exit_code == 0, result.output
    assert "ok: 2 entries proven against signed checkpoints" in result.output
    assert "not proven: entry 99, no signed checkpoint covers yet" in result.output
