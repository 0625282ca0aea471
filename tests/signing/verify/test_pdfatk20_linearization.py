"""A signed linearized file whose page pyHanko reads from an object stream while viewers
that rebuild the cross-reference read a copy (pdfatk20;
tests/signing/test_pdfatk20_linearization.py): "Importe: 100 EUR" in Firefox's preview,
"9999 EUR" signed and verified. The verification said nothing; now the file is reported
(`inconsistent_page_tree`), the verdict unchanged, and the normalisation refuses it.
"""

from __future__ import annotations

import pytest

from signing.normalise import normalise
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT
from tests.signing.test_pdfatk20_linearization import COPIES, compressed
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


def _signed_in_force(pki, copy: str) -> bytes:
    signer = samples.signer_for(pki.signer, pki)
    stamper = samples.timestamper(pki)
    length = None
    for _ in range(50):  # an ECDSA signature's length varies by a few bytes
        signed = samples.sign(compressed(copy, length), signer, stamper=stamper)
        if len(signed) == length:
            return signed
        length = len(signed)
    raise AssertionError("the signed length did not settle")


@pytest.mark.parametrize("copy", COPIES)
def test_a_signed_page_in_an_object_stream_rebuilt_otherwise_is_told(client, verifier, pki,
                                                                      copy):
    pdf = _signed_in_force(pki, copy)
    with pytest.raises(InvalidPdf) as refused:
        normalise(pdf, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    kit.assert_valid_but_told(client, verifier, pdf, "inconsistent_page_tree")
