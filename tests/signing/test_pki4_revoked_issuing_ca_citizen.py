"""A citizen's signature under a revoked issuing CA is refused as a signing failure
(`SealError`, which the signing page answers 422 not_signed), not an unhandled key-store error
(a 500): nothing can be certified under a revoked CA (keys.revoked_ca)."""

from __future__ import annotations

import pytest

from signing.citizen_signature import sign
from signing.pades import SealError
from tests.signing.test_citizen_signature import approval_for
from tests.signing.verify.samples import blank_pdf


def test_a_citizen_signature_under_a_revoked_issuing_ca_is_a_seal_error(documents, citizen):
    pki = documents.keys.pki
    issuing = pki.material().issuing
    status = pki.revoke(serial=issuing.serial, reason="cACompromise", now=documents.keys.now())
    pdf = blank_pdf()
    with pytest.raises(SealError) as refused:
        sign(documents, citizen=citizen, pdf=pdf, approval=approval_for(pdf), file_name="c.pdf")
    assert str(refused.value).startswith(
        f"the issuing CA certificate {issuing.serial} was revoked at "
        f"{status.revoked_at.isoformat()} (cACompromise): nothing is issued or signed under it")
