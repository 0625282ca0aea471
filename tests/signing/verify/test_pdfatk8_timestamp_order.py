"""A content time-stamp later than the signature time-stamp (pdfatk8).

A CAdES/PAdES signature may carry a content time-stamp (a signed attribute, EN 319 122-1,
5.2.8 content-time-stamp: taken over the signed data before signing) and a signature
time-stamp (an unsigned attribute, taken over the signature value after signing). An honest
file has the content time-stamp first; one whose content time-stamp is later than its signature
time-stamp is impossible (EN 319 102-1, 5.5.4: the time-stamps' times must be coherent, else
INDETERMINATE/TIMESTAMP_ORDER_FAILURE).

pyHanko compares them only while the signer's certificate is revoked or expired with no proof
of existence (it reads the content time-stamp for that case alone, `ades._process_basic_validation`):
such a file with a good signer passed as TOTAL-PASSED. It is now
INDETERMINATE/TIMESTAMP_ORDER_FAILURE, with its own words (`content_timestamp_after_signature`).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from pyhanko.sign.signers.pdf_cms import DefaultUnsignedAttributes

from signing.verify import indication, timestamp_order
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples

LATE = samples.NOW + timedelta(hours=1)


def _signed(pki, *, content_at, signature_at) -> bytes:
    """Signed by the trusted signer with a content time-stamp at `content_at` and a signature
    time-stamp at `signature_at` (the same trusted authority for both)."""
    signer = samples.signer_for(pki.signer, pki)
    # The signature time-stamp (unsigned attribute) from its own stamper; the content one from
    # the signer's (`CAdESSignedAttrSpec(timestamp_content=True)`, in `samples.sign`).
    signer.unsigned_attr_prov_spec = DefaultUnsignedAttributes(samples.timestamper(pki, signature_at))
    return samples.sign(samples.blank_pdf(), signer, stamper=samples.timestamper(pki, content_at),
                        content_timestamp=True)


@pytest.fixture(scope="module")
def out_of_order(pki) -> bytes:
    return _signed(pki, content_at=LATE, signature_at=samples.NOW)


def test_a_content_time_stamp_after_the_signature_time_stamp_is_refused(verifier, out_of_order):
    report = verifier.verify(out_of_order)
    signature = report.signatures[0]
    assert (report.indication.value, report.conclusion.sub_indication) == (
        "INDETERMINATE", "TIMESTAMP_ORDER_FAILURE")
    assert signature.reason == "content_timestamp_after_signature"
    # The signature time-stamp itself is valid: what is wrong is the order.
    assert signature.timestamp is not None and signature.timestamp.valid
    assert signature.timestamp.time == samples.NOW


@pytest.mark.parametrize("content_at", [samples.NOW - timedelta(minutes=5), samples.NOW])
def test_an_honest_order_passes(verifier, pki, content_at):
    report = verifier.verify(_signed(pki, content_at=content_at, signature_at=samples.NOW))
    assert report.indication.value == "TOTAL-PASSED", report.signatures[0].reason


def test_the_api_and_the_page_say_so(client, verifier, out_of_order):
    kit.assert_refused_over_http_and_on_the_page(
        client, verifier, out_of_order, reason="content_timestamp_after_signature",
        verdict="indeterminate", indication="INDETERMINATE")


def test_a_failure_already_found_stays():
    assert timestamp_order.check(indication.FORMAT_FAILURE, out_of_order=True) == indication.FORMAT_FAILURE
    assert timestamp_order.check(indication.SIG_CONSTRAINTS_FAILURE, out_of_order=True) == \
        indication.SIG_CONSTRAINTS_FAILURE
    assert timestamp_order.check(indication.PASSED, out_of_order=False) == indication.PASSED
