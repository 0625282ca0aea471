"""Replacement text in a PDF a citizen signs: a screen reader reads one amount, the page draws
another (pdfatk10).

`/ActualText` on marked content (`/Span <</ActualText (Importe: 100 EUR)>> BDC ... EMC`, or a
named property list) or on a structure element, and `/Alt` on an element that is not an
illustration, replace what the page draws for screen readers, copy and paste and `pdftotext`.
A page drawing "Importe: 9999 EUR" under "Importe: 100 EUR" passed the normalisation as
nothing to remove: a blind citizen heard 100 EUR and signed 9999 EUR. Now the replacement
text is removed (`replacement_text`): every reader reads what is drawn. An /Alt describing
an illustration (/Figure) stays: it is what accessibility asks for.
"""

from __future__ import annotations

import pytest

from signing.normalise import findings, normalise
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT, _reader, _text
from tests.signing.verify import samples
from tests.signing.verify.test_pdfatk10_replacement_text import ACTUAL, QUIET, TOLD, page


@pytest.mark.parametrize("prepared", TOLD.values(), ids=TOLD.keys())
def test_replacement_text_is_removed(prepared):
    pdf = prepared()
    assert findings(_reader(pdf)) == ["replacement_text"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("replacement_text",)
    assert findings(_reader(result.checked.data)) == []
    text = _text(result.checked.data)
    assert "Importe: 9999 EUR" in text and "100 EUR" not in text  # what is drawn, read


def test_the_drawing_and_the_other_marks_stay():
    result = normalise(page(ACTUAL + b" /P <</MCID 0>> BDC EMC"), max_bytes=LIMIT)
    contents = _reader(result.checked.data).root["/Pages"]["/Kids"][0]["/Contents"]
    data = b"".join(stream.get_object().data for stream in contents)
    assert b"(Importe: 9999 EUR) Tj" in data and b"/MCID 0" in data
    assert b"/Span <<" in data and b"BDC" in data and b"ActualText" not in data


@pytest.mark.parametrize("prepared", QUIET.values(), ids=QUIET.keys())
def test_what_is_not_replacement_text_stays(prepared):
    pdf = prepared()
    assert findings(_reader(pdf)) == []
    assert normalise(pdf, max_bytes=LIMIT).checked.data == pdf


def test_a_signed_file_with_it_is_refused():
    pki = samples.build_pki()
    signed = samples.sign(page(ACTUAL), samples.signer_for(pki.signer, pki))
    with pytest.raises(InvalidPdf) as refused:
        normalise(signed, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    assert "(replacement_text)" in refused.value.message("en")
