"""A signature time-stamped after its signer's certificate expired (pdfatk7).

A signature made with an expired certificate and time-stamped now has a valid time-stamp
that proves only that the signature existed once the certificate had expired: nothing proves
it was made while the certificate was valid (EN 319 102-1, 5.5.4):
INDETERMINATE/OUT_OF_BOUNDS_NO_POE. The verdict was right, but the words said the signature
"has no time-stamp", beside a report listing its valid time-stamp. The words now say that its
time-stamp came after the expiry (`expired_before_timestamp`); a signature with no time-stamp
at all keeps the old words.

Without a signature time-stamp but with a document time-stamp taken after the expiry, pyHanko's
LTA process answered SIG_CONSTRAINTS_FAILURE ("No signature timestamp present": it asks every
signature for one) and the page said "does not meet this service's validation rules"; the
signature's own process says why: OUT_OF_BOUNDS_NO_POE.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


@pytest.fixture(scope="module")
def stamped_after_expiry(pki) -> bytes:
    return samples.sign(samples.blank_pdf(), samples.signer_for(pki.expired, pki),
                        stamper=samples.timestamper(pki))


def test_the_reason_names_the_late_time_stamp(verifier, pki, stamped_after_expiry):
    report = verifier.verify(stamped_after_expiry)
    signature = report.signatures[0]
    assert (report.indication.value, report.conclusion.sub_indication) == (
        "INDETERMINATE", "OUT_OF_BOUNDS_NO_POE")
    assert signature.timestamp is not None and signature.timestamp.valid
    assert signature.proven_time > pki.expired.cert.not_valid_after_utc
    assert signature.reason == "expired_before_timestamp"


def test_without_a_time_stamp_the_words_stay(verifier, pki):
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(pki.expired, pki))
    assert verifier.verify(pdf).signatures[0].reason == "out_of_bounds_no_poe"


def test_the_api_and_the_page_say_so(client, verifier, stamped_after_expiry):
    pages = kit.assert_refused_over_http_and_on_the_page(
        client, verifier, stamped_after_expiry, reason="expired_before_timestamp",
        verdict="indeterminate", indication="INDETERMINATE")
    for language, page in pages.items():
        assert text("verify.reason.out_of_bounds_no_poe", language) not in page


def test_a_document_time_stamp_after_the_expiry_does_not_hide_why(verifier, pki):
    pdf = samples.sign(samples.blank_pdf(), samples.signer_for(pki.expired, pki))
    stamped = signers.PdfTimeStamper(samples.timestamper(pki)).timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), "sha256").getvalue()
    report = verifier.verify(stamped)
    assert report.document_timestamps[0].valid
    signature = report.signatures[0]
    assert (signature.conclusion.indication.value, signature.conclusion.sub_indication,
            signature.reason) == ("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE", "out_of_bounds_no_poe")
