"""A reclaim revokes, at the CA, the one-time certificates of the PDFs the frozen account signed
(impostor review, round 11).

An impostor enrolled with a person's national ID, was proofed (a document a desk accepted) and
signed a contract as that person: the PDF carries a PAdES signature with a certificate naming
the person (ETSI EN 319 412-1 semantic identifier). The person then proved the ID theirs (at an
office, or with a code from the civil register): the account was frozen and its documents
marked revoked in Cédula's own rows ("identity_reclaimed"), but the certificate stayed good at
the CA. Cédula's verifier said revoked, every other verifier (pyHanko's validator, pdfsig,
Acrobat: anyone who asks the CA's OCSP responder or CRL) said valid: the impostor's signature
in the person's name kept validating everywhere else.

Now the reclaim's transaction revokes those certificates too: keyCompromise (ITU-T X.509: the
key "or other aspects of the subject validated in the certificate" compromised: the subject
named is not who held the key) with the invalidity date the impostor's enrolment (RFC 5280,
5.3.2): no signature it made can be proven to predate it. The OCSP responder and the CRL say so
at once, and pyHanko's validator, given Cédula's current CRL and OCSP answer, reports the
signature revoked."""

from __future__ import annotations

import io
import uuid
from datetime import UTC

import pytest
import sqlalchemy as sa
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp

from tests.idp.assurance.test_reclaim import _claim, _code, _enter, _import, _send
from tests.idp.conftest import csrf, dui, enrol, post_json
from tests.idp.documents.conftest import docs_app, pki_app, pki_rows, proof_in_person  # noqa: F401
from tests.idp.documents.test_citizen_signing import _pdf, _upload, _upload_id
from tests.idp.registrar.test_registrar import FUTURE, registrar  # noqa: F401 - fixture

ANA = dui(4892613)  # the person whose ID the impostor took (and the civil register's sample)


def _sign_as(web, enrolled) -> bytes:
    """The impostor, signed in on `web`, signs a contract through the signing pages."""
    upload = _upload_id(_upload(web, _pdf("contrato de compraventa"), "contrato.pdf"))
    options = post_json(web, f"/account/sign/{upload}/options", {}).get_json()
    response = post_json(web, f"/account/sign/{upload}/confirm", enrolled.key.authenticate(options))
    assert response.status_code == 200, response.get_json()
    return web.get(f"/account/documents/{response.get_json()['id']}/pdf").data


def _ocsp(web, app, cert) -> asn1_ocsp.OCSPResponse:
    """Cédula's OCSP responder's answer about `cert` (RFC 6960, over HTTP)."""
    from keys import get_service

    ca = get_service(app).pki.material().ca("issuing")
    request = asn1_ocsp.OCSPRequest({"tbs_request": {"request_list": [{"req_cert": {
        "hash_algorithm": {"algorithm": "sha1"}, "issuer_name_hash": ca.name_hashes["sha1"],
        "issuer_key_hash": ca.key_hashes["sha1"], "serial_number": cert.serial_number}}]}})
    reply = web.post("/pki/ocsp", data=request.dump(), headers={"Content-Type": "application/ocsp-request"})
    assert reply.status_code == 200
    return asn1_ocsp.OCSPResponse.load(reply.data)


def _pyhanko(pdf: bytes, app, web):
    """pyHanko's validator on the citizen's signature, trusting only Cédula's root and checking
    revocation (hard-fail) with what Cédula publishes now: both CRLs and the OCSP answer."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from keys import get_service

    embedded = PdfFileReader(io.BytesIO(pdf)).embedded_regular_signatures[-1]
    root = get_service(app).pki.material().root.certificate
    crls = [web.get(f"/pki/crl/{name}.crl").data for name in ("root", "issuing")]
    context = ValidationContext(trust_roots=[root], crls=crls,
                                ocsps=[_ocsp(web, app, embedded.signer_cert).dump()],
                                allow_fetching=False, revocation_mode="hard-fail")
    return embedded.signer_cert, validate_pdf_signature(embedded, signer_validation_context=context)


def _reclaim_in_person(client, registrar, app):  # noqa: F811
    form = {"csrf_token": csrf(client, "/registrar/reclaim"), "national_id": ANA,
            "given_name": "Ana María", "family_name": "López Pérez", "birthdate": "1990-05-17",
            "email": "ana.real@example.sv", "document_type": "passport", "document_number": "A123",
            "document_expiry": FUTURE}
    assert client.post("/registrar/reclaim", data=form).status_code == 200


def _reclaim_with_register_code(client, registrar, app):  # noqa: F811
    from idp.assurance.models import IdentityProofing
    from infra.db import get_db

    _import(app)
    # A register code takes an ID only from an account below substantial: the impostor's
    # proofing was lowered since it signed (a wallet PID that lapsed, a passkey model reported).
    with get_db(app).transaction() as session:
        session.execute(sa.delete(IdentityProofing))
    claimant = app.test_client()
    assert _claim(claimant).status_code == 303
    _send(claimant)
    assert _enter(claimant, _code(app)).status_code == 200


@pytest.mark.parametrize("reclaim", [_reclaim_in_person, _reclaim_with_register_code],
                         ids=["in_person", "register_channel"])
def test_a_reclaim_revokes_the_certificates_of_the_impostors_signatures(
        docs_app, registrar, client, reclaim):  # noqa: F811
    from idp.citizens.models import Citizen
    from idp.registrar.models import RegistrarAuditEntry
    from infra.db import get_db
    from keys.models import Certificate

    web = docs_app.test_client()
    impostor = enrol(web, national_id=ANA, email="impostor@example.sv")
    proof_in_person(docs_app, impostor.citizen_id)
    signed = _sign_as(web, impostor)
    cert, before = _pyhanko(signed, docs_app, web)
    assert cert.subject.native["serial_number"] == f"IDCSV-{ANA}"  # in Ana's name
    assert before.bottom_line, before.pretty_print_details()  # valid everywhere, as it should be
    with get_db(docs_app).read() as session:
        enrolled_at = session.get(Citizen, uuid.UUID(impostor.citizen_id)).created_at

    reclaim(client, registrar, docs_app)

    # Cédula's OCSP responder: revoked, keyCompromise, invalid since the impostor's enrolment.
    single = _ocsp(web, docs_app, cert).basic_ocsp_response["tbs_response_data"]["responses"][0]
    assert single["cert_status"].name == "revoked", single["cert_status"].native
    assert single["cert_status"].chosen["revocation_reason"].native == "key_compromise"
    assert single.invalidity_date_value.native <= enrolled_at.astimezone(UTC)
    # The CRL lists it the same way.
    crl = asn1_crl.CertificateList.load(web.get("/pki/crl/issuing.crl").data)
    [entry] = [e for e in crl["tbs_cert_list"]["revoked_certificates"]
               if e["user_certificate"].native == cert.serial_number]
    assert entry.crl_reason_value.native == "key_compromise"
    assert entry.invalidity_date_value.native <= enrolled_at.astimezone(UTC)
    # pyHanko's validator, with what Cédula publishes now: no longer valid.
    _, after = _pyhanko(signed, docs_app, web)
    assert after.revoked and not after.bottom_line, after.pretty_print_details()
    # The operator's trail counts it; nothing else at the CA was touched.
    with get_db(docs_app).read() as session:
        frozen = session.scalars(sa.select(RegistrarAuditEntry).where(
            RegistrarAuditEntry.action == "identity.frozen")).one()
        revoked = session.scalars(sa.select(Certificate.serial).where(
            Certificate.revoked_at.is_not(None))).all()
    assert frozen.details["certificates_revoked"] == 1
    assert revoked == [f"{cert.serial_number:x}"]
