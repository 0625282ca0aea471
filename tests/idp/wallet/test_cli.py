"""`cedula wallet ...`: trusted PID issuers, status lists, issuer metadata."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from idp.cli import Context, cli
from tests.idp.wallet.conftest import new_offer
from tests.idp.wallet.pid import PidIssuer


def _run(app, *args):
    context = Context(app=app)
    return CliRunner().invoke(cli, ["wallet", *args], obj=context)


def test_trusted_issuers_add_list_remove(docs_app, tmp_path):
    from idp.wallet import get_wallet, trust

    path = get_wallet(docs_app).settings.trusted_issuers
    path.unlink(missing_ok=True)
    assert "no trusted PID issuer" in _run(docs_app, "trusted-issuers", "list").output
    issuer = PidIssuer("PID Provider Uno")
    pem = tmp_path / "pid-ca.pem"
    pem.write_bytes(issuer.ca_pem)
    added = _run(docs_app, "trusted-issuers", "add", str(pem))
    assert added.exit_code == 0, added.output
    fingerprint = trust.fingerprint(issuer.ca)
    listed = _run(docs_app, "trusted-issuers", "list").output
    assert fingerprint in listed and "PID Provider Uno CA" in listed
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    refused = _run(docs_app, "trusted-issuers", "add", str(bad))
    assert refused.exit_code == 1 and "not a file of PEM certificates" in refused.output
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    assert "holds no certificate" in _run(docs_app, "trusted-issuers", "add", str(empty)).output
    assert _run(docs_app, "trusted-issuers", "remove", "00" * 32).exit_code == 1
    removed = _run(docs_app, "trusted-issuers", "remove", fingerprint)
    assert removed.exit_code == 0 and trust.read_anchors(path) == []


def test_status_lists_and_metadata(web, docs_app, birth, holder):
    assert "no status list yet" in _run(docs_app, "status-lists").output
    link, tx_code = new_offer(web, birth["id"])
    holder.receive(link, tx_code)
    listed = _run(docs_app, "status-lists").output
    assert "/wallet/status/" in listed and "used 1/131072" in listed and "invalid 0" in listed
    metadata = json.loads(_run(docs_app, "metadata").output)
    assert set(metadata["credential_configurations_supported"]) == {"birth_dc+sd-jwt",
                                                                    "residence_dc+sd-jwt"}


def test_a_document_an_operator_issues_from_the_cli_can_be_offered(web, docs_app, agency,
                                                                   signed_in, tmp_path):
    from click.testing import CliRunner

    from tests.signing import samples
    from tests.signing.conftest import AGENCY

    enrolled, _ = signed_in
    data = tmp_path / "birth.json"
    data.write_text(json.dumps(samples.BIRTH))
    context = Context(app=docs_app)
    result = CliRunner().invoke(cli, ["documents", "issue", "--client", AGENCY, "--template", "birth",
                                      "--national-id", enrolled.national_id, "--data", str(data),
                                      "--out", str(tmp_path / "birth.pdf")], obj=context)
    assert result.exit_code == 0, result.output
    document_id = re.search(r"^issued (\w+):", result.output, re.M).group(1)
    assert web.get(f"/account/documents/{document_id}/wallet").status_code == 200


def test_an_operator_revoking_the_document_revokes_the_credential(web, docs_app, birth, holder):
    from idp.wallet import status_list
    from tests.idp.wallet.test_status_list import _path

    link, tx_code = new_offer(web, birth["id"])
    held = holder.receive(link, tx_code)
    context = Context(app=docs_app)
    result = CliRunner().invoke(cli, ["documents", "revoke", birth["id"], "--reason",
                                      "Inscripción anulada por resolución"], obj=context)
    assert result.exit_code == 0, result.output
    reference = held.payload["status"]["status_list"]
    token = web.get(_path(reference["uri"])).get_data(as_text=True)
    from infra import jose

    claims = json.loads(jose.b64url_decode(token.split(".")[1]))
    assert status_list.decode_status(claims["status_list"]["lst"], reference["idx"]) == status_list.INVALID
    assert "invalid 1" in _run(docs_app, "status-lists").output
