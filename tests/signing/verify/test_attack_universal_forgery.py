"""Universal signature forgery (Mladenov et al., CCS 2019, USF): a signature dictionary whose
/Contents or /ByteRange is missing, null, garbage, or points elsewhere, so that a careless
verifier checks nothing or the wrong bytes. Every /ByteRange variant here comes with a CMS
signed again by the signer's own key over exactly the bytes it names: the cryptography is
sound, only the coverage is wrong.

Each one is refused with its reason, by the service in-process and by POST /api/verify.
"""

from __future__ import annotations

import re

import pytest

from tests.signing.verify import attack_kit as kit
from tests.signing.verify import forgeries, samples


@pytest.fixture(scope="module")
def basic(pki) -> bytes:
    return samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))


def _ranges(pdf: bytes) -> dict[str, str]:
    _, a, b, c = forgeries._byte_range(pdf)
    return {
        "shorter_than_the_file": f"0 {a} {b} {c - 20}",
        "past_the_end_of_the_file": f"0 {a} {b} {c + 50}",
        "overlapping": f"0 {b} {a} {c}",
        "negative": f"0 {a} {b} -1",
        "all_zero": "0 0 0 0",
        "six_numbers": f"0 {a} 0 0 0 0",
        "two_numbers": f"0 {a}",
        "first_part_only": f"0 {a} {b} 0",
        "gap_wider_than_contents": f"0 {a - 10} {b} {c}",
        "not_from_the_start": f"1 {a - 1} {b} {c}",
    }


RANGES = list(_ranges(b"/ByteRange [0 1 2 3]"))


def _contents_span(pdf: bytes) -> tuple[int, int]:
    match = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf)
    assert match is not None
    return match.start(1) - 1, match.end(1) + 1  # with the brackets


def contents_missing(pdf: bytes) -> bytes:
    return kit.renamed(pdf, b"/Contents <", b"/Contentz <", index=0)


def contents_null(pdf: bytes) -> bytes:
    start, end = _contents_span(pdf)
    return pdf[:start] + b"null" + b" " * (end - start - 4) + pdf[end:]


def contents_zeros(pdf: bytes) -> bytes:
    start, end = _contents_span(pdf)
    return pdf[:start + 1] + b"0" * (end - start - 2) + pdf[end - 1:]


def contents_garbage(pdf: bytes) -> bytes:
    start, end = _contents_span(pdf)
    return pdf[:start + 1] + b"AB" * ((end - start - 2) // 2) + pdf[end - 1:]


def contents_empty(pdf: bytes) -> bytes:
    start, end = _contents_span(pdf)
    return pdf[:start] + b"<>" + b" " * (end - start - 2) + pdf[end:]


def byte_range_missing(pdf: bytes) -> bytes:
    return kit.renamed(pdf, b"/ByteRange", b"/ByteRangX", index=0)


CONTENTS = [contents_missing, contents_null, contents_zeros, contents_garbage, contents_empty,
            byte_range_missing]


def test_the_forging_tool_alone_changes_nothing(verifier, pki, basic):
    _, a, b, c = forgeries._byte_range(basic)
    forged = kit.resigned_over_byte_range(basic, f"0 {a} {b} {c}", pki.signer.key)
    assert verifier.verify(forged).conclusion.passed


@pytest.mark.parametrize("variant", RANGES)
def test_a_byte_range_that_does_not_cover_the_file_is_refused(verifier, pki, basic, variant):
    forged = kit.resigned_over_byte_range(basic, _ranges(basic)[variant], pki.signer.key)
    report = verifier.verify(forged)
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "FORMAT_FAILURE")
    sig = report.signatures[0]
    assert (sig.reason, sig.modifications.level) == ("wrapped", "unclear")
    assert sig.modifications.detail and not sig.covers_whole_document


@pytest.mark.parametrize("attack", CONTENTS, ids=[a.__name__ for a in CONTENTS])
def test_a_missing_null_or_garbage_signature_value_is_refused(verifier, basic, attack):
    report = verifier.verify(attack(basic))
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "FORMAT_FAILURE")
    sig = report.signatures[0]
    assert sig.reason == "format_failure" and sig.signer is None
    assert report.verdict.value == "not_valid"


def test_the_api_refuses_them_too(client, verifier, pki, basic):
    for variant in ("shorter_than_the_file", "overlapping", "gap_wider_than_contents"):
        forged = kit.resigned_over_byte_range(basic, _ranges(basic)[variant], pki.signer.key)
        kit.assert_refused_over_http(client, verifier, forged, reason="wrapped",
                                     level="unclear")
    for attack in (contents_missing, contents_null, byte_range_missing):
        kit.assert_refused_over_http(client, verifier, attack(basic), reason="format_failure")
