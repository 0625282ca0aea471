"""pyHanko adapters: a PAdES B-LTA seal and a citizen signature made through custody."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature

from keys import (
    certificate_signer,
    issue_citizen_certificate,
    issue_seal_certificate,
    seal_signer,
    timestamper,
    validation_context,
)


def _blank_pdf() -> bytes:
    from pyhanko.pdf_utils import generic

    writer = PdfFileWriter()
    writer.insert_page(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject(
            [generic.NumberObject(n) for n in (0, 0, 595, 842)]),
    }))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _sign(service, signer, *, lta: bool) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(_blank_pdf()))
    meta = signers.PdfSignatureMetadata(
        field_name="Signature", subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=True, use_pades_lta=lta,
        validation_context=validation_context(service, certificates=[signer.signing_cert]),
    )
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper(service))
    out = pdf_signer.sign_pdf(writer)
    return out.getvalue()


def _validate(service, data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data))
    sig = reader.embedded_signatures[0]
    return validate_pdf_signature(sig, validation_context(service))


def test_seal_b_lta_validates(service):
    issue_seal_certificate(service, client_id="hacienda", organization_name="Hacienda",
                           organization_identifier="VATSV-1")
    signed = _sign(service, seal_signer(service, client_id="hacienda"), lta=True)
    status = _validate(service, signed)
    assert status.bottom_line, status.pretty_print_details()
    assert status.timestamp_validity is not None and status.timestamp_validity.valid
    assert b"/DSS" in signed and b"/DocTimeStamp" in signed


def test_citizen_signature_with_fresh_key(service):
    issued = issue_citizen_certificate(service, given_name="Ana", surname="López",
                                       serial_number="IDCSV-01234567-8", level="substantial")
    signer = certificate_signer(service, serial=issued.serial)
    signed = _sign(service, signer, lta=False)
    status = _validate(service, signed)
    assert status.bottom_line, status.pretty_print_details()
    assert status.signing_cert.subject.native["serial_number"] == "IDCSV-01234567-8"


def test_revoked_seal_does_not_validate(service):
    issued = issue_seal_certificate(service, client_id="a", organization_name="A",
                                    organization_identifier="VATSV-A")
    service.pki.revoke(serial=issued.serial, reason="keyCompromise", now=service.now())
    with pytest.raises(Exception) as info:
        _sign(service, certificate_signer(service, serial=issued.serial), lta=False)
    assert "revoked" in repr(info.value).lower() or "revoked" in str(info.value.__cause__)


def test_seal_carries_its_prepared_signing_certificate_attribute(service):
    """The signing-certificate-v2 attribute (RFC 5035) prepared once per signer names the
    seal certificate (its SHA-256 and issuer/serial), as pyHanko's per-signature one does."""
    from asn1crypto import tsp
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.general import as_signing_certificate_v2

    issue_seal_certificate(service, client_id="hacienda", organization_name="Hacienda",
                           organization_identifier="VATSV-1")
    signer = seal_signer(service, client_id="hacienda")
    signed = _sign(service, signer, lta=False)
    info = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0].signer_info
    [attribute] = [a for a in info["signed_attrs"] if a["type"].native == "signing_certificate_v2"]
    assert attribute["values"][0].dump() == as_signing_certificate_v2(signer.signing_cert).dump()
    assert isinstance(attribute["values"][0], tsp.SigningCertificateV2)


def test_a_128_byte_signing_certificate_value_encodes_as_parsed(monkeypatch):
    """asn1crypto reads the header `30 81 80` (a definite length of 128) as an indefinite
    length and encodes such a value again, down to the last name, on each dump; the prepared
    value gives the DER it was parsed from."""
    from asn1crypto import core

    from keys.signers import _EncodedSigningCertificate

    cert_hash = core.OctetString(b"\x01" * 122).dump()
    der = b"\x30\x81\x80" + b"\x30\x7e" + b"\x30\x7c" + cert_hash  # certs [ESSCertIDv2]
    encoded = _EncodedSigningCertificate.load(der)
    calls = []
    for cls in (core.Sequence, core.SequenceOf):
        original = cls._set_contents
        monkeypatch.setattr(cls, "_set_contents", lambda self, force=False, _o=original:
                            calls.append(self) or _o(self, force))
    assert encoded.dump() == der and encoded.dump() == der
    assert calls == []
    assert encoded["certs"][0]["cert_hash"].native == b"\x01" * 122
