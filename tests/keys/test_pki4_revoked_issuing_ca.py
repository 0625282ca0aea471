"""A revoked issuing CA (RFC 5280, 6.3: every certificate under it is then invalid) issues and
seals nothing more, and its key is never certified again.

Before: after `cedula pki revoke <issuing CA serial> --reason cACompromise` (a root ceremony,
docs/pki.md) the web process went on issuing seal and citizen certificates under the revoked
CA and sealing with the agencies' existing seal certificates, documents every verifier refuses;
and `cedula pki renew issuing` certified the compromised key again (same name and key, a new
unrevoked certificate), so every certificate the key's thief made chained to a valid CA again.
"""

from __future__ import annotations

import pytest

from keys import KeyNotFound, issue_citizen_certificate, issue_seal_certificate, seal_signer
from keys.errors import InvalidRequest


def _revoke_issuing(service):
    issuing = service.pki.material().issuing
    status = service.pki.revoke(serial=issuing.serial, reason="cACompromise", now=service.now())
    return issuing, status


def _refusal(issuing, status):
    return (f"the issuing CA certificate {issuing.serial} was revoked at "
            f"{status.revoked_at.isoformat()} (cACompromise): nothing is issued or signed under it")


def test_no_certificate_is_issued_under_a_revoked_issuing_ca(service):
    issuing, status = _revoke_issuing(service)
    with pytest.raises(KeyNotFound) as refused:
        issue_seal_certificate(service, client_id="c", organization_name="C",
                               organization_identifier="VATSV-C")
    assert str(refused.value).startswith(_refusal(issuing, status))
    with pytest.raises(KeyNotFound) as refused:
        issue_citizen_certificate(service, given_name="Ana", surname="Pérez",
                                  serial_number="IDCSV-01234567-8", level="high")
    assert str(refused.value).startswith(_refusal(issuing, status))


def test_an_existing_seal_is_not_used_under_a_revoked_issuing_ca(service):
    issue_seal_certificate(service, client_id="c", organization_name="C",
                           organization_identifier="VATSV-C")
    assert seal_signer(service, client_id="c")
    issuing, status = _revoke_issuing(service)
    with pytest.raises(KeyNotFound) as refused:
        seal_signer(service, client_id="c")
    assert str(refused.value).startswith(_refusal(issuing, status))


def test_a_revoked_issuing_ca_key_is_not_certified_again(service):
    issuing, status = _revoke_issuing(service)
    with pytest.raises(InvalidRequest) as refused:
        service.pki.renew("issuing", service.now())
    assert str(refused.value).startswith(_refusal(issuing, status))
    service.pki.invalidate()
    assert service.pki.material().issuing.serial == issuing.serial


def test_a_renewed_issuing_ca_still_issues(service):
    service.pki.renew("issuing", service.now())
    seal = issue_seal_certificate(service, client_id="c", organization_name="C",
                                  organization_identifier="VATSV-C")
    assert seal_signer(service, client_id="c").signing_cert.dump() == seal.certificate.dump()


def _root_crl_entries(service):
    from asn1crypto import crl

    listed = crl.CertificateList.load(service.pki.crl("root", service.now()))
    return {entry["user_certificate"].native: entry["crl_entry_extensions"][0]["extn_value"].native
            for entry in listed["tbs_cert_list"]["revoked_certificates"] or []}


def test_revoking_a_renewed_issuing_ca_revokes_every_certificate_of_its_key(service):
    """`renew issuing` certifies the same key again and keeps the earlier certificate valid
    until it expires: revoking only the current one left the earlier one good, a path a
    verifier builds for whatever the compromised key signs (the thief sends it along)."""
    before = service.pki.material().issuing
    service.pki.renew("issuing", service.now())
    current = service.pki.material().issuing
    assert current.serial != before.serial
    service.pki.revoke(serial=current.serial, reason="cACompromise", now=service.now())
    assert _root_crl_entries(service) == {int(before.serial, 16): "ca_compromise",
                                          int(current.serial, 16): "ca_compromise"}


def test_retiring_an_earlier_issuing_certificate_leaves_the_current_one(service):
    before = service.pki.material().issuing
    service.pki.renew("issuing", service.now())
    current = service.pki.material().issuing
    service.pki.revoke(serial=before.serial, reason="superseded", now=service.now())
    assert _root_crl_entries(service) == {int(before.serial, 16): "superseded"}
    assert issue_seal_certificate(service, client_id="c", organization_name="C",
                                  organization_identifier="VATSV-C").chain[0].dump() == \
        current.certificate.dump()


def test_readiness_fails_under_a_revoked_issuing_ca(pki_client, service, caplog):
    """Nothing can be sealed any more: /readyz says so (503), the node's log says why; before,
    it stayed 200 ok while every seal and signature failed or came out unverifiable."""
    assert pki_client.get("/readyz").get_json()["checks"]["pki"] == {"status": "ok"}
    issuing, status = _revoke_issuing(service)
    with caplog.at_level("WARNING", logger="infra.ops.health"):
        ready = pki_client.get("/readyz")
    assert ready.status_code == 503
    assert "pki" in ready.get_json()["checks"]["pki"]["detail"]
    logged = [r.error for r in caplog.records if r.getMessage() == "pki not ready"]
    assert logged and logged[-1].startswith(_refusal(issuing, status))
