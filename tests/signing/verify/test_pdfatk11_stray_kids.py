"""A signed PDF whose page tree lists an entry that is no dictionary (pdfatk11).

Signed as it is, a tree whose /Kids holds a null, a number or a reference to a string or
to no object verifies (the bytes are intact) and said nothing: poppler skips the entry,
pdf.js stops with an error where it looked for a page. The verification now names it in
`active_content` (`inconsistent_page_tree`), with its verdict unchanged.
"""

from __future__ import annotations

import pytest

from tests.signing.test_pdfatk11_stray_kids import STRAYS, with_stray
from tests.signing.verify import samples


@pytest.mark.parametrize("kind", STRAYS)
def test_a_kid_that_is_no_dictionary_is_told(verifier, pki, kind):
    pdf = samples.sign(with_stray(kind), samples.signer_for(pki.signer, pki),
                       stamper=samples.timestamper(pki))
    report = verifier.verify(pdf)
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == ("inconsistent_page_tree",)
