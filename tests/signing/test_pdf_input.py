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
