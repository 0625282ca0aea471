"""Issue 13: key compromise with an invalidity date, untrusted document time-stamps appended
to a valid seal, and untrusted chains, on Cédula's own B-LTA seals and on another CA's."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import crl as asn1_crl
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tests.signing.conftest import AGENCY
from tests.signing.test_pades import _seal
from tests.signing.verify import samples


def _verdict(report):
    return report.indication.value, report.conclusion.sub_indication


def _own(app, pdf):
    from signing.verify.service import get_verification

    return get_verification(app).verify(pdf)


def _revoke_seal(app, *, reason: str, invalidity_date: datetime | None = None):
    import keys

    service = keys.get_service(app)
    seal = service.pki.current_seal(client_id=AGENCY, now=datetime.now(UTC))
    return service.pki.revoke(serial=seal.serial, reason=reason, now=datetime.now(UTC),
                              invalidity_date=invalidity_date)


@pytest.fixture(scope="module")
def stranger_tsa(pki):
    """A time-stamping authority under a root nobody configured."""
    tsa = samples._issue("TSA desconocida", pki.stranger_root, ca=False,
                         not_before=samples.NOW - timedelta(days=5),
                         not_after=samples.NOW + timedelta(days=300),
                         eku=[ExtendedKeyUsageOID.TIME_STAMPING], use_rsa=True)
    return DummyTimeStamper(tsa_cert=tsa.asn1, tsa_key=tsa.asn1_key,
                            certs_to_embed=SimpleCertificateStore.from_certs(
                                [pki.stranger_root.asn1]))


def document_timestamp(pdf: bytes, stamper) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.PdfTimeStamper(stamper).timestamp_pdf(writer, "sha256").getvalue()


def test_key_compromise_before_the_seal_is_reported_and_distrusts_it(documents, pki_app):
    """The seal's time-stamps prove it existed before the revocation, but not before the key
    was compromised (invalidity date): anyone holding the key could have made it."""
    pdf = _seal(documents)
    assert _own(pki_app, pdf).conclusion.passed
    compromised = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    _revoke_seal(pki_app, reason="keyCompromise", invalidity_date=compromised)
    report = _own(pki_app, pdf)
    assert _verdict(report) == ("INDETERMINATE", "REVOKED_NO_POE")
    sig = report.signatures[0]
    assert sig.level == "B-LTA" and sig.reason == "revoked_no_poe"
    body = report.as_json("en")["signatures"][0]["revocation"]
    assert body["status"] == "revoked" and body["reason"] == "key_compromise"
    assert body["invalidity_date"] == compromised.isoformat().replace("+00:00", "Z")


def test_key_compromise_after_the_seal_keeps_it_and_reports_the_revocation(documents, pki_app):
    pdf = _seal(documents)
    time.sleep(1.1)  # revocation times have whole seconds: be a second after the seal
    _revoke_seal(pki_app, reason="keyCompromise", invalidity_date=datetime.now(UTC))
    report = _own(pki_app, pdf)
    # The key was compromised after the seal's proof of existence: the seal stands.
    assert _verdict(report) == ("TOTAL-PASSED", None)
    assert report.signatures[0].revocation.status == "revoked"
    assert report.signatures[0].revocation.reason == "key_compromise"


def test_revocation_after_the_seal_is_reported_not_hidden(documents, pki_app):
    """Superseded after sealing: the seal stands (it was made before), and the report says
    the certificate is revoked instead of "good"."""
    pdf = _seal(documents)
    time.sleep(1.1)
    _revoke_seal(pki_app, reason="superseded")
    report = _own(pki_app, pdf)
    assert _verdict(report) == ("TOTAL-PASSED", None)
    revocation = report.signatures[0].revocation
    assert (revocation.status, revocation.reason, revocation.invalidity_date) == \
        ("revoked", "superseded", None)


def test_the_crl_carries_the_invalidity_date(documents, pki_app):
    import keys

    compromised = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    status = _revoke_seal(pki_app, reason="keyCompromise", invalidity_date=compromised)
    crl = asn1_crl.CertificateList.load(
        keys.get_service(pki_app).pki.crl("issuing", datetime.now(UTC)))
    entry = next(e for e in crl["tbs_cert_list"]["revoked_certificates"]
                 if e["user_certificate"].native == int(status.serial, 16))
    assert entry.invalidity_date_value.native == compromised
    assert entry.crl_reason_value.native == "key_compromise"


def test_invalidity_date_in_the_future_is_refused(documents, pki_app):
    from keys.errors import InvalidRequest

    with pytest.raises(InvalidRequest, match="must not be in the future"):
        _revoke_seal(pki_app, reason="keyCompromise",
                     invalidity_date=datetime.now(UTC) + timedelta(days=1))


def test_untrusted_document_timestamp_does_not_downgrade_a_seal(documents, pki_app,
                                                               stranger_tsa):
    """Anyone can append a document time-stamp from a TSA nobody trusts: the seal's verdict
    stays its own, and the report names the time-stamp that was not used."""
    pdf = document_timestamp(_seal(documents), stranger_tsa)
    report = _own(pki_app, pdf)
    assert _verdict(report) == ("TOTAL-PASSED", None)
    stamps = report.as_json("en")["document_timestamps"]
    untrusted = [s for s in stamps if s["authority"] == "TSA desconocida"]
    assert len(untrusted) == 1 and not untrusted[0]["valid"]
    assert [s["valid"] for s in stamps] == [True, False]
    sig = report.as_json("en")["signatures"][0]
    assert sig["document_timestamps_not_used"] == [untrusted[0]["field"]]
    assert sig["level"] == "B-LTA"


def test_untrusted_document_timestamp_on_another_cas_signature(verifier, pki, signed,
                                                             stranger_tsa):
    assert verifier.verify(signed).conclusion.passed
    report = verifier.verify(document_timestamp(signed, stranger_tsa))
    assert _verdict(report) == ("TOTAL-PASSED", None)
    assert report.document_timestamps[0].reason == "no_certificate_chain_found"
    assert report.signatures[0].timestamps_not_used == (report.document_timestamps[0].field,)


def test_a_trusted_document_timestamp_does_not_downgrade_either(verifier, pki, signed):
    """B-T plus a later document time-stamp without validation data: pyHanko's long-term
    process alone answered NO_POE; the signature passes on its own."""
    report = verifier.verify(document_timestamp(signed, samples.timestamper(pki)))
    assert _verdict(report) == ("TOTAL-PASSED", None)
    assert report.document_timestamps[0].valid
    assert report.signatures[0].timestamps_not_used == ()


@pytest.mark.parametrize("form", ["B-B", "B-T", "B-T + document time-stamp"])
def test_untrusted_chains_are_no_certificate_chain_found(verifier, pki, form):
    signer = samples.signer_for(pki.stranger, pki, chain=(pki.stranger_root,))
    stamper = None if form == "B-B" else samples.timestamper(pki)
    pdf = samples.sign(samples.blank_pdf(), signer, stamper=stamper)
    if "document" in form:
        pdf = document_timestamp(pdf, samples.timestamper(pki))
    report = verifier.verify(pdf)
    assert _verdict(report) == ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")


def test_own_lta_seal_under_a_root_the_verifier_does_not_trust(documents, verifier):
    """A Cédula B-LTA seal checked by a verifier configured with another root only."""
    report = verifier.verify(_seal(documents))
    assert _verdict(report) == ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")
    assert report.signatures[0].trust_anchor is None
