"""PDFs given to sign: size, sniffing, damage, encryption, certification locks."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.crypt import StandardSecurityHandler
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.pdf_input import InvalidPdf, check_pdf


def _pdf(encrypt: bool = False) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PageObject

    writer = PdfFileWriter()
    writer.insert_page(PageObject(contents=writer.add_object(generic.StreamObject(stream_data=b"")),
                                  media_box=(0, 0, 595, 842)))
    if encrypt:
        writer._assign_security_handler(StandardSecurityHandler.build_from_pw("secret"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_plain_pdf_passes():
    checked = check_pdf(_pdf(), max_bytes=1 << 20)
    assert checked.pages == 1 and checked.signatures == 0 and len(checked.sha256) == 64


@pytest.mark.parametrize(("data", "key", "status"), [
    (b"", "empty", 422),
    (b"PK\x03\x04 a zip file", "not_pdf", 422),
    (b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF", "broken", 422),
    (b"%PDF-1.7" + b" " * 3000, "too_large", 413),
])
def test_refusals_say_why(data, key, status):
    with pytest.raises(InvalidPdf) as info:
        check_pdf(data, max_bytes=2048)
    assert info.value.key == key and info.value.status == status
    assert info.value.message("en")


def test_encrypted_pdf_is_refused():
    with pytest.raises(InvalidPdf) as info:
        check_pdf(_pdf(encrypt=True), max_bytes=1 << 20)
    assert info.value.key == "encrypted"
    assert "password" in info.value.message("en")


def test_too_large_names_both_sizes():
    with pytest.raises(InvalidPdf, match="The file is 3 KB and the limit is 2 KB"):
        check_pdf(b"%PDF-" + b"x" * 3067, max_bytes=2048)


def test_a_cross_reference_bomb_is_refused_before_it_is_read():
    """Attack: a file to sign whose cross-reference stream declares millions of zero-byte
    entries (/W [0 0 0]); the reader built them all (minutes, gigabytes) before answering."""
    from tests.signing.verify import forgeries

    with pytest.raises(InvalidPdf) as info:
        check_pdf(forgeries.zero_width_xref_bomb(_pdf(), 50_000_000), max_bytes=1 << 20)
    assert info.value.key == "broken" and "objects, more than its" in info.value.message("en")


def _signed(*, certify: bool = False, lock_document: bool = False) -> bytes:
    """A PDF signed once by another CA's signer: certified with P=1, or an approval signature
    whose field's /Lock has /P 1 (ISO 32000-2, 12.7.5.5: no change at all after it)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import FieldMDPAction, FieldMDPSpec, MDPPerm

    from tests.signing.verify import samples

    pki = samples.build_pki()
    writer = IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf()))
    fields.append_signature_field(writer, fields.SigFieldSpec(
        "Firma", field_mdp_spec=FieldMDPSpec(FieldMDPAction.ALL) if lock_document else None,
        doc_mdp_update_value=MDPPerm.NO_CHANGES if lock_document else None))
    out = io.BytesIO()
    writer.write(out)
    meta = signers.PdfSignatureMetadata(field_name="Firma", certify=certify,
                                        docmdp_permissions=MDPPerm.NO_CHANGES)
    return signers.PdfSigner(meta, signer=samples.signer_for(pki.signer, pki)).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(out.getvalue()))).getvalue()


def test_a_certified_pdf_that_allows_no_changes_is_refused():
    with pytest.raises(InvalidPdf) as info:
        check_pdf(_signed(certify=True), max_bytes=1 << 20)
    assert info.value.key == "locked"


def test_an_approval_signature_that_locks_the_document_is_refused():
    """Attack on the sealing side: a PDF whose (approval, not certification) signature's field
    lock says /P 1. Only certifications were looked at, so the service signed it, and that
    signature then failed verification (a forbidden change after it): the service made the
    document it returned worthless. pyHanko's signer does not look either (its TODO)."""
    data = _signed(lock_document=True)
    assert b"/Perms" not in data  # no certification
    with pytest.raises(InvalidPdf) as info:
        check_pdf(data, max_bytes=1 << 20)
    assert info.value.key == "locked_by_signature" and info.value.status == 422
    assert "Firma" in info.value.message("en") and "Firma" in info.value.message("es")
