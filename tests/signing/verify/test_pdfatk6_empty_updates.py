"""An incremental update that carries no object (pdfatk6, open point 5).

A signed file followed by an update whose cross-reference section lists nothing (a table
`xref 0 0` and a trailer naming the signed revision, or a cross-reference stream listing only
itself) adds nothing to the document: no validation data, no time-stamp, no change. pyHanko
grades such a revision as an LTA update, and the signature said "only validation data and
time-stamps were added after signing": words about something that is not in the file. The
honest words are those of bytes that change nothing (`unchanged`), and the file is still
said to hold data added after its last signature.
"""

from __future__ import annotations

import pytest

from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


def empty_table(pdf: bytes) -> bytes:
    """`pdf` with an update whose cross-reference table lists no object."""
    size, previous, root = kit.tail_facts(pdf)
    return kit.finish(pdf + kit.table({}, size, root, previous), len(pdf))


def empty_stream(pdf: bytes) -> bytes:
    """`pdf` with an update whose cross-reference stream lists only itself."""
    size, previous, root = kit.tail_facts(pdf)
    at = len(pdf)
    row = bytes([1]) + at.to_bytes(4, "big") + bytes(2)
    return kit.finish(pdf + b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%d 1] /Root %s "
                      b"/Prev %d /Length %d >>\nstream\n" % (size, size + 1, size, root, previous,
                                                             len(row))
                      + row + b"\nendstream\nendobj\n", at)


EMPTY = {"table": empty_table, "stream": empty_stream,
         "twice": lambda pdf: empty_table(empty_table(pdf))}


@pytest.mark.parametrize("add", EMPTY.values(), ids=EMPTY.keys())
def test_an_empty_update_is_not_called_validation_data(verifier, signed, add):
    report = verifier.verify(add(signed))
    assert report.conclusion.passed and report.unsigned_additions
    signature = report.signatures[0]
    assert (signature.covers_whole_document, signature.modifications.level) == (False, "unchanged")


def test_after_a_second_signature_too(verifier, pki, signed):
    two = samples.sign(signed, samples.signer_for(pki.signer, pki),
                       stamper=samples.timestamper(pki), field="Segunda")
    report = verifier.verify(empty_table(two))
    assert report.conclusion.passed and report.unsigned_additions
    levels = [s.modifications.level for s in report.signatures]
    assert levels == ["signatures", "unchanged"]


def test_the_api_and_the_page_say_so(client, verifier, signed):
    kit.assert_valid_with_unsigned_additions(client, verifier, empty_table(signed), "unchanged")
