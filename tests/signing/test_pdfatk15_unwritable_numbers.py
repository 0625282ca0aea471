"""A PDF to sign holding a real number pyHanko cannot write back (pdfatk15).

ISO 32000-2, 7.3.3 sets no bound on how many digits a real has. pyHanko reads
`1000000000000000000000000000000.0` as a Decimal and writes it back by quantizing it, which
raises `decimal.InvalidOperation` past 28 digits. The normalisation rewrites every file it
cleans, and that exception was none of the read errors it turns into a refusal: an agency's
POST /api/documents/prepared or a citizen's upload with such a number anywhere (here in a
catalog entry nothing reads) ended in a 500. It is now refused as damaged (422, `broken`), with
the sentence saying to save the file again as a PDF.
"""

from __future__ import annotations

import pytest

from signing.normalise import normalise
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT
from tests.signing.verify import attack_kit as kit


def _with_number(number: bytes) -> bytes:
    """A blank page whose catalog has an opening action (so it is rewritten) and an entry
    holding `number`."""
    return kit.classic_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (1) >> "
        b"/Extra [" + number + b"] >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream"])


def test_a_real_pyhanko_cannot_write_is_refused_as_damaged():
    with pytest.raises(InvalidPdf) as refused:
        normalise(_with_number(b"1" + b"0" * 30 + b".0"), max_bytes=LIMIT)
    assert refused.value.key == "broken"
    assert "too many digits" in refused.value.message("en")
    assert "PDF" in refused.value.message("es")


def test_an_ordinary_real_is_written():
    result = normalise(_with_number(b"12.5"), max_bytes=LIMIT)
    assert result.removed == ("open_action",)
