"""A citizen's signature (issue 12): the approval inside it, the level, the one-time key."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from signing.approval import Approval
from signing.citizen_signature import LevelTooLow, NotConfirmed, sign
from tests.signing.verify.samples import blank_pdf
from tests.support.authenticator import SoftwareAuthenticator, b64url, from_b64url


def approval_for(pdf: bytes, *, level: str = "substantial",
                 key: SoftwareAuthenticator | None = None, **overrides) -> Approval:
    """What `idp.documents.confirmation` hands over: a UV assertion whose challenge is
    SHA-256(pdf) || 32 random bytes, for the test issuer's origin and RP ID."""
    key = key or SoftwareAuthenticator()
    challenge = hashlib.sha256(pdf).digest() + os.urandom(32)
    response = key.authenticate({"challenge": b64url(challenge), "rpId": "localhost"},
                                user_handle=b"u")["response"]
    approval = Approval(
        authenticator_data=from_b64url(response["authenticatorData"]),
        client_data_json=from_b64url(response["clientDataJSON"]),
        signature=from_b64url(response["signature"]), credential_id=key.credential_id,
        credential_public_key=key.cose_public_key(), aaguid=key.aaguid, user_verified=True,
        level=level, approved_at=datetime.now(UTC))
    return replace(approval, **overrides)


def _verify(app, pdf: bytes):
    from signing.verify.service import get_verification

    return get_verification(app).verify(pdf)


def _sign_and_verify(app, documents, issued, pdf: bytes, approval: Approval):
    """Sign `pdf` (PAdES B-LT) with the citizen certificate `issued` carrying `approval`, past
    the checks `sign` makes, as a forger with the key would; the verification report."""
    import keys
    from signing.approval import ApprovalAttributes
    from signing.pades import SignatureField

    signer = keys.CustodySigner(documents.keys, issued)
    signer.signed_attr_prov_spec = ApprovalAttributes(
        signing_cert=issued.certificate, approval=approval, approved_length=len(pdf))
    signed = documents.sealer.sign(pdf, signer=signer, level="B-LT",
                                   field=SignatureField(name="Firma", description="Firma"))
    return _verify(app, signed.pdf)


def test_signature_carries_the_approval_and_the_level(documents, citizen, pki_app):
    pdf = blank_pdf()
    signed = sign(documents, citizen=citizen, pdf=pdf, approval=approval_for(pdf),
                  file_name="contrato.pdf")
    report = _verify(pki_app, documents.store.read(signed.sha256))
    sig = report.signatures[0]
    assert report.conclusion.passed, sig
    assert (sig.signed_as, sig.assurance_level) == ("citizen_signature", "substantial")
    assert sig.approval.status == "verified" and sig.approval.user_verified
    assert sig.approval.level == "substantial"
    body = report.as_json("en")["signatures"][0]
    assert body["role"] == "Signature of a person, level substantial"
    assert body["approval"]["message"].startswith("Approved with a passkey, user verified, "
                                                  "level substantial, at ")
    # The moment in words (CLDR via Babel), not an ISO 8601 string.
    assert re.search(r", at [A-Z][a-z]+ \d{1,2}, \d{4}, \d{1,2}:\d\d\u00a0[AP]M \(GMT\+00:00\)\.$",
                     body["approval"]["message"]), body["approval"]["message"]
    assert re.search(r", el \d{1,2} de [a-z]+ de \d{4}, \d{1,2}:\d\d \(GMT\+00:00\)\.$",
                     report.as_json("es")["signatures"][0]["approval"]["message"])
    assert sig.signer.serial_number == f"IDCSV-{citizen.national_id}"


def test_assertion_swapped_from_another_document_fails(documents, citizen, pki_app):
    """The signing service is made (bypassing its own check) to embed an approval of another
    document: the verifier finds the digest in the challenge is not the signed document's."""
    import keys

    pdf, other = blank_pdf(), blank_pdf(text="otro")
    issued = keys.issue_citizen_certificate(documents.keys, given_name="María José",
                                            surname="Núñez Peña", level="substantial",
                                            serial_number=f"IDCSV-{citizen.national_id}")
    report = _sign_and_verify(pki_app, documents, issued, pdf, approval_for(other))
    sig = report.signatures[0]
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "HASH_FAILURE")
    assert sig.approval.status == "failed" and sig.reason == "approval_failed"
    assert "SHA-256" in sig.approval.problem


def test_assertion_under_another_key_fails(documents, citizen, pki_app):
    pdf = blank_pdf()
    forged = approval_for(pdf, credential_public_key=SoftwareAuthenticator().cose_public_key())
    import keys

    issued = keys.issue_citizen_certificate(documents.keys, given_name="Ana", surname="López",
                                            level="substantial", serial_number="IDCSV-1")
    report = _sign_and_verify(pki_app, documents, issued, pdf, forged)
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "SIG_CRYPTO_FAILURE")
    assert "embedded passkey key" in report.signatures[0].approval.problem


def test_certificate_below_the_minimum_level_is_reported(documents, citizen, pki_app):
    """A certificate at level low (possible only by going around `sign`): the verifier, whose
    deployment requires substantial, says so."""
    import keys

    pdf = blank_pdf()
    issued = keys.issue_citizen_certificate(documents.keys, given_name="Ana", surname="López",
                                            level="low", serial_number="IDCSV-1")
    assert issued.certificate.subject.native.get("serial_number") is None  # no IDC when low
    report = _sign_and_verify(pki_app, documents, issued, pdf, approval_for(pdf, level="low"))
    sig = report.signatures[0]
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("INDETERMINATE", "SIG_CONSTRAINTS_FAILURE")
    assert (sig.assurance_level, sig.reason) == ("low", "below_minimum_level")


def test_sign_refuses_a_low_sign_in_and_issues_nothing(documents, citizen):
    from keys.models import Certificate

    pdf = blank_pdf()
    with pytest.raises(LevelTooLow, match="level substantial or higher; this one was low"):
        sign(documents, citizen=citizen, pdf=pdf, approval=approval_for(pdf, level="low"),
             file_name="a.pdf")
    with documents.database.read() as session:
        assert session.query(Certificate).filter_by(role="citizen").count() == 0


def test_sign_refuses_an_approval_of_other_bytes(documents, citizen):
    pdf = blank_pdf()
    with pytest.raises(NotConfirmed, match="not this one"):
        sign(documents, citizen=citizen, pdf=pdf, approval=approval_for(blank_pdf(text="x")),
             file_name="a.pdf")
    with pytest.raises(NotConfirmed, match="without user verification"):
        sign(documents, citizen=citizen, pdf=pdf,
             approval=approval_for(pdf, user_verified=False), file_name="a.pdf")


def test_one_time_key_cannot_sign_again(documents, citizen, caplog):
    import keys
    from keys import KeyNotFound
    from keys.models import Certificate

    pdf = blank_pdf()
    with caplog.at_level(logging.INFO, logger="keys.pki"):
        signed = sign(documents, citizen=citizen, pdf=pdf, approval=approval_for(pdf),
                      file_name="a.pdf")
    assert any("one-time signing key destroyed" in r.getMessage() for r in caplog.records)
    with documents.database.read() as session:
        row = session.query(Certificate).filter_by(role="citizen").one()
    assert row.serial == signed.signer_serial
    signer = keys.certificate_signer(documents.keys, serial=signed.signer_serial)
    with pytest.raises(KeyNotFound):
        documents.keys.custody.sign(signer._key, b"again")


def test_sign_refuses_a_file_that_was_not_normalised(documents, citizen):
    """Defence in depth behind the pages (issue 13): a form that shows one value and stores
    another, or a script, is never signed as it is, even with a matching approval."""
    from keys.models import Certificate
    from signing.pdf_input import InvalidPdf
    from tests.signing.test_normalise import shadow_form

    pdf = shadow_form()
    with pytest.raises(InvalidPdf) as refused:
        sign(documents, citizen=citizen, pdf=pdf, approval=approval_for(pdf), file_name="a.pdf")
    assert (refused.value.key, refused.value.params) == \
        ("not_normalised", {"found": "form_fields, need_appearances"})
    with documents.database.read() as session:
        assert session.query(Certificate).filter_by(role="citizen").count() == 0
