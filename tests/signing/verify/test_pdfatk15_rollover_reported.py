"""A validly signed PDF with a stamp whose rollover or down appearance differs (pdfatk15).

ISO 32000-2, 12.5.5: /AP /R is drawn while the pointer is over the annotation, /AP /D while a
button is pressed on it. A stamp showing "Importe: 100 EUR" that draws "Importe: 9999 EUR" under
the pointer verified valid with no word of it; now `active_content` names it
(`shown_on_hover`), the verdict unchanged. See tests/signing/test_pdfatk15_rollover_appearances.py.
"""

from __future__ import annotations

import pytest

from tests.signing.test_pdfatk15_rollover_appearances import with_rollover
from tests.signing.verify import samples


@pytest.mark.parametrize("key", ["/R", "/D"])
def test_a_signed_file_with_one_is_reported(verifier, pki, key):
    signed = samples.sign(with_rollover(key), samples.signer_for(pki.signer, pki),
                          stamper=samples.timestamper(pki))
    report = verifier.verify(signed)
    assert report.conclusion.passed
    assert report.active_content == ("shown_on_hover",)


def test_a_signed_file_whose_rollover_is_the_normal_appearance_is_not(verifier, pki):
    signed = samples.sign(with_rollover(same=True), samples.signer_for(pki.signer, pki),
                          stamper=samples.timestamper(pki))
    assert verifier.verify(signed).active_content == ()
