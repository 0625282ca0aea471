"""Under a revoked issuing CA no TSA or OCSP responder certificate is issued (RFC 5280, 6.3: it
would be refused by every verifier), while the responder goes on answering with the certificate
it has, so that relying parties still learn which certificates are revoked (RFC 6960, 2.2).

Before: `Pki.renew_services` (run by every OCSP request and time-stamp request) and `cedula pki
renew tsa|ocsp` issued a new key and certificate under the revoked CA, each bumping the PKI
generation, a successor signed by the revoked (perhaps stolen) key.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from asn1crypto import ocsp

from keys.errors import InvalidRequest
from tests.keys.test_services import _ocsp_request, seal  # noqa: F401 - the seal fixture
from tests.support.cli import cedula


def _revoke_issuing(service):
    issuing = service.pki.material().issuing
    status = service.pki.revoke(serial=issuing.serial, reason="cACompromise", now=service.now())
    return (f"the issuing CA certificate {issuing.serial} was revoked at "
            f"{status.revoked_at.isoformat()} (cACompromise): nothing is issued or signed under it, and "
            "its key is not certified again; a new PKI is needed (docs/pki.md, Revocation)")


def test_the_responder_keeps_its_certificate_and_answers(service, seal):  # noqa: F811
    pki = service.pki
    pki.revoke(serial=seal.serial, reason="keyCompromise", now=service.now())
    _revoke_issuing(service)
    responder = pki.material().ocsp.certificate.dump()
    later = service.now() + timedelta(days=8)  # past half the responder's 14 days
    service.clock = lambda: later
    assert pki.renew_services(service.now()) == []
    reply = service.ocsp.respond(_ocsp_request(service, seal.certificate), now=service.now())
    assert reply.status == "successful"
    basic = ocsp.OCSPResponse.load(reply.der).basic_ocsp_response
    assert basic["tbs_response_data"]["responses"][0]["cert_status"].name == "revoked"
    assert [cert.dump() for cert in basic["certs"]] == [responder]
    pki.invalidate()
    assert pki.material().ocsp.certificate.dump() == responder


@pytest.mark.parametrize("name", ["tsa", "ocsp"])
def test_no_service_certificate_is_renewed_under_a_revoked_issuing_ca(service, name):
    pki = service.pki
    said = _revoke_issuing(service)
    before = getattr(pki.material(), name).serial
    with pytest.raises(InvalidRequest) as refused:
        pki.renew(name, service.now())
    assert str(refused.value) == f"no {name} certificate is issued: {said}"
    pki.invalidate()
    assert getattr(pki.material(), name).serial == before


@pytest.mark.parametrize("name", ["tsa", "ocsp"])
def test_the_command_says_why_and_what_to_do(service, fresh_app, name):
    said = _revoke_issuing(service)
    refused = cedula(fresh_app, "pki", "renew", name)
    assert refused.exit_code == 1
    assert refused.output == f"Error: no {name} certificate is issued: {said}\n"


def test_revoking_the_responder_issues_no_successor_under_a_revoked_issuing_ca(service):
    """Revoking a service certificate replaces it in the same transaction (docs/pki.md); under a
    revoked CA there is no successor to issue, so the revocation is refused, nothing changed
    (every certificate under the CA already fails validation at the CA)."""
    pki = service.pki
    said = _revoke_issuing(service)
    responder = pki.material().ocsp.serial
    with pytest.raises(InvalidRequest) as refused:
        pki.revoke(serial=responder, reason="keyCompromise", now=service.now())
    assert str(refused.value) == f"no ocsp certificate is issued: {said}"
    pki.invalidate()
    assert pki.material().ocsp.serial == responder
    assert pki.certificate(responder).serial == responder
    assert pki.statuses("issuing", [int(responder, 16)])[int(responder, 16)].revoked_at is None
