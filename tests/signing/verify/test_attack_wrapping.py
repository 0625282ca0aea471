"""Signature wrapping (Mladenov et al., CCS 2019, SWA): the signed bytes stay as they were,
but the unsigned gap of the byte range (meant for /Contents alone) is made to hold something
else: a new dictionary entry, a whole new revision (objects, cross-reference table, trailer)
that a reader follows, or the signature value written as a literal string so that the gap
looks larger than it is.

Each one is refused with its reason, by the service in-process and by POST /api/verify.
"""

from __future__ import annotations

import re

import pytest

from signing.verify.errors import UnreadableDocument
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import forgeries


def revision_in_the_gap(pdf: bytes) -> bytes:
    """The signature value shortened; in the freed part of the gap, inside the signature
    dictionary, a new content stream for the page, a cross-reference table and a trailer: a
    repairing reader finds the new objects, a strict one cannot read the dictionary."""
    match = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf)
    assert match is not None
    digits = match.group(1)
    kept = digits.rstrip(b"0")
    kept += b"0" * (len(kept) % 2)
    size, previous, root = kit.tail_facts(pdf)
    number = int(re.findall(rb"/Contents (\d+) 0 R", pdf)[0])
    at = match.start(1) + len(kept) + 1  # after the closing '>' written below
    smuggled = kit.stream_object(number, forgeries.FORGED)
    xref_at = at + len(smuggled)
    smuggled += kit.table({number: at}, size, root, previous)
    room = len(digits) - len(kept) - 1 - len(smuggled)
    assert room > 0
    gap = kept + b">" + smuggled + b" " * room
    forged = pdf[:match.start(1)] + gap + pdf[match.end(1):]
    assert len(forged) == len(pdf) and xref_at
    return forged


def contents_moved_to_the_end(pdf: bytes) -> bytes:
    """The signed revision kept byte for byte, then an update whose page content is new, then
    the signature value again after the last %%EOF (the 'moved signature value' variant)."""
    forged = forgeries.incremental_saving(pdf)
    _, first, second, _ = forgeries._byte_range(pdf)
    value = pdf[first:second]
    return forged + b"\n% " + value[:64] + b"\n"


ATTACKS = [
    (forgeries.signature_wrapping, "wrapped", "unclear"),
    (forgeries.literal_contents, "wrapped", "unclear"),
    (contents_moved_to_the_end, "appended", "appended"),
]


@pytest.mark.parametrize(("attack", "reason", "level"), ATTACKS,
                         ids=[a.__name__ for a, _r, _l in ATTACKS])
def test_signature_wrapping_is_refused(verifier, signed, attack, reason, level):
    report = verifier.verify(attack(signed))
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "FORMAT_FAILURE")
    sig = report.signatures[0]
    assert (sig.reason, sig.modifications.level) == (reason, level)
    assert report.verdict.value == "not_valid"


def test_a_revision_smuggled_into_the_gap_is_unreadable(verifier, signed):
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(revision_in_the_gap(signed))
    assert info.value.error == "damaged_pdf"


def test_the_api_refuses_them_too(client, verifier, signed):
    for attack, reason, level in ATTACKS:
        kit.assert_refused_over_http(client, verifier, attack(signed), reason=reason,
                                     level=level)
    smuggled = kit.over_http(client, verifier, revision_in_the_gap(signed))
    assert smuggled["status"] == 422 and smuggled["error"] == "damaged_pdf"
