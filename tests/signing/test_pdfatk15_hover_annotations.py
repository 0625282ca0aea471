"""An annotation shown only under the pointer, in a PDF a citizen signs (pdfatk15).

ISO 32000-2, 12.5.3, Table 167: an annotation flagged NoView and ToggleNoView is not shown
until the pointer hovers over it or selects it. A PDF uploaded for a citizen's signature (or
received by an agency to seal) with such a stamp ("Importe: 9999 EUR") was kept by the
normalisation, which removed only what prints and never shows: the preview shows "100 EUR",
the signed file shows "9999 EUR" to whoever points at the amount. Such an annotation is now
removed (`hidden_annotations`, as the paper-only ones), and an already signed file that holds
one is refused.
"""

from __future__ import annotations

import pytest

from signing.normalise import findings, normalise
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT, _reader
from tests.signing.test_pdfatk7_paper_only_annotations import (
    HIDDEN,
    NO_VIEW,
    PRINT,
    _annotations,
    with_stamp,
)
from tests.signing.verify import samples

TOGGLE_NO_VIEW = 256


@pytest.fixture(scope="module")
def pki() -> samples.Pki:
    return samples.build_pki()


@pytest.mark.parametrize("flags", [NO_VIEW | TOGGLE_NO_VIEW, NO_VIEW | TOGGLE_NO_VIEW | PRINT])
def test_a_stamp_shown_under_the_pointer_is_found_and_removed(flags):
    pdf = with_stamp(flags)
    assert findings(_reader(pdf)) == ["hidden_annotations"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("hidden_annotations", "earlier_revisions")
    assert _annotations(result.checked.data) == []
    assert b"9999" not in result.checked.data


@pytest.mark.parametrize("flags", [TOGGLE_NO_VIEW, PRINT | TOGGLE_NO_VIEW,
                                   HIDDEN | NO_VIEW | TOGGLE_NO_VIEW])
def test_one_always_shown_or_hidden_stays(flags):
    pdf = with_stamp(flags)
    assert findings(_reader(pdf)) == []
    assert [a["/Subtype"] for a in _annotations(normalise(pdf, max_bytes=LIMIT).checked.data)] \
        == ["/Stamp"]


def test_a_signed_file_with_one_is_refused(pki):
    signed = samples.sign(with_stamp(NO_VIEW | TOGGLE_NO_VIEW),
                          samples.signer_for(pki.signer, pki))
    with pytest.raises(InvalidPdf) as refused:
        normalise(signed, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    assert "(hidden_annotations)" in refused.value.message("en")
