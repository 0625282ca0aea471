"""`cedula wallet ...`: trusted PID issuers, status lists, issuer metadata."""

from __future__ import annotations

import json
import re

from tests.idp.wallet.conftest import new_offer
from tests.idp.wallet.pid import PidIssuer
from tests.support.cli import cedula


def test_trusted_issuers_add_list_remove(docs_app, tmp_path):
    from idp.wallet import get_wallet, trust

    path = get_wallet(docs_app).settings.trusted_issuers
    path.unlink(missing_ok=True)
    assert "no trusted PID issuer" in cedula(docs_app, "wallet", "trusted-issuers", "list").output
    issuer = PidIssuer("PID Provider Uno")
    pem = tmp_path / "pid-ca.pem"
    pem.write_bytes(issuer.ca_pem)
    added = cedula(docs_app, "wallet", "trusted-issuers", "add", str(pem))
    assert added.exit_code == 0, added.output
    fingerprint = trust.fingerprint(issuer.ca)
    listed = cedula(docs_app, "wallet", "trusted-issuers", "list").output
    assert fingerprint in listed and "PID Provider Uno CA" in listed
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    refused = cedula(docs_app, "wallet", "trusted-issuers", "add", str(bad))
    assert refused.exit_code == 1 and "not a file of PEM certificates" in refused.output
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    assert "holds no certificate" in cedula(docs_app, "wallet", "trusted-issuers", "add", str(empty)).output
    assert cedula(docs_app, "wallet", "trusted-issuers", "remove", "00" * 32).exit_code == 1
    removed = cedula(docs_app, "wallet", "trusted-issuers", "remove", fingerprint)
    assert removed.exit_code == 0 and trust.read_anchors(path) == []


def test_status_lists_and_metadata(web, docs_app, birth, holder):
    assert "no status list yet" in cedula(docs_app, "wallet", "status-lists").output
    link, tx_code = new_offer(web, birth["id"])
    holder.receive(link, tx_code)
    listed = cedula(docs_app, "wallet", "status-lists").output
    assert "/wallet/status/" in listed and "used 1/131072" in listed and "invalid 0" in listed
    metadata = json.loads(cedula(docs_app, "wallet", "metadata").output)
    assert set(metadata["credential_configurations_supported"]) == {"birth_dc+sd-jwt",
                                                                    "residence_dc+sd-jwt"}


def test_a_document_an_operator_issues_from_the_cli_can_be_offered(web, docs_app, agency,
                                                                   signed_in, tmp_path):
    from tests.signing import samples
    from tests.signing.conftest import AGENCY

    enrolled, _ = signed_in
    data = tmp_path / "birth.json"
    data.write_text(json.dumps(samples.BIRTH))
    result = cedula(docs_app, "documents", "issue", "--client", AGENCY, "--template", "birth",
                    "--national-id", enrolled.national_id, "--data", str(data),
                    "--out", str(tmp_path / "birth.pdf"))
    assert result.exit_code == 0, result.output
    document_id = re.search(r"^issued (\w+):", result.output, re.M).group(1)
    assert web.get(f"/account/documents/{document_id}/wallet").status_code == 200


def test_an_operator_revoking_the_document_revokes_the_credential(web, docs_app, birth, holder):
    from idp.wallet import status_list
    from tests.idp.wallet.test_status_list import _path

    link, tx_code = new_offer(web, birth["id"])
    held = holder.receive(link, tx_code)
    result = cedula(docs_app, "documents", "revoke", birth["id"], "--reason", "Inscripción anulada por resolución")
    assert result.exit_code == 0, result.output
    reference = held.payload["status"]["status_list"]
    token = web.get(_path(reference["uri"])).get_data(as_text=True)
    from infra import jose

    claims = json.loads(jose.b64url_decode(token.split(".")[1]))
    assert status_list.decode_status(claims["status_list"]["lst"], reference["idx"]) == status_list.INVALID
    assert "invalid 1" in cedula(docs_app, "wallet", "status-lists").output
