"""Names written with `#` escapes, in a signed PDF and in a file's trailer (pdfatk11).

The verification's content-stream scan for replacement text (`signing.replacement_text`)
and the raw-byte count of the objects a file declares (`signing.verify.xref_sections`, read
before pyHanko builds an entry for each) searched for `/ActualText`, `/Alt`, `/Size` and
`/Index` as written. `/Actual#54ext` (read by poppler as /ActualText) was not reported, and
a trailer `/Si#7Ae 100000000` (read by pyHanko as /Size) was not counted. Both now match
every spelling of the name (`signing.name_spellings`).
"""

from __future__ import annotations

import pytest

from signing.pdf_input import InvalidPdf, check_pdf
from signing.verify.xref_sections import declared_objects, too_many_objects
from tests.signing.test_pdfatk11_escaped_names import ESCAPED, escaped
from tests.signing.verify import samples


@pytest.mark.parametrize("name", ESCAPED.values(), ids=ESCAPED.keys())
def test_escaped_replacement_text_is_told(verifier, pki, name):
    pdf = samples.sign(escaped(name), samples.signer_for(pki.signer, pki),
                       stamper=samples.timestamper(pki))
    report = verifier.verify(pdf)
    assert report.conclusion.passed
    assert report.active_content == ("replacement_text",)



@pytest.mark.parametrize("spelling", [b"/Si#7Ae", b"/#53#69#7a#65", b"/S#69ze"])
def test_an_escaped_size_is_counted(spelling):
    pdf = samples.blank_pdf()
    trailer = pdf.rindex(b"/Size")
    lying = pdf[:trailer] + spelling + b" 100000000" + pdf[trailer + len(b"/Size"):] \
        .split(b" ", 1)[1].lstrip(b"0123456789")
    assert declared_objects(lying) >= 100_000_000
    assert too_many_objects(lying) is not None
    with pytest.raises(InvalidPdf) as refused:
        check_pdf(lying, max_bytes=10 * 1024 * 1024)
    assert refused.value.key == "broken"


def test_an_escaped_index_is_counted():
    data = b"<< /Type /XRef /In#64ex [0 5 5 90000000] /W [1 2 1] >>"
    assert declared_objects(data) == 90_000_005
