"""`cedula audit verify` and `cedula audit checkpoint`, run as the operator runs them."""

from __future__ import annotations

import json

import sqlalchemy as sa

from infra.db import get_db
from tests.idp.audit.conftest import fill
from tests.support.cli import cedula


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
    from idp import audit
    from infra.db import get_db

    fill(oidc_app, audit_log, 4)
    with oidc_app.app_context():
        with get_db(oidc_app).transaction() as session:
            audit.checkpoint(session)
        with get_db(oidc_app).read() as session:
            bundle = audit.citizen_bundle(session, citizen_id="c1", issuer="http://localhost")
    path = tmp_path / "log.json"
    path.write_text(json.dumps(bundle))
    result = cedula(oidc_app, "audit", "verify", "--file", str(path))
    assert result.exit_code == 0 and result.output.strip() == "ok: 2 entries proven against signed checkpoints"
    bundle["entries"][0]["body"]["agency"] = "someone-else"
    path.write_text(json.dumps(bundle))
    result = cedula(oidc_app, "audit", "verify", "--file", str(path))
    assert result.exit_code == 1 and "entry 1 was altered" in result.output
