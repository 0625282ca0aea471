"""An update that adds only objects nothing refers to (pdfatk7, left open by pdfatk6).

A signed file followed by an update that defines new objects which neither the trailer nor
any object of the document refers to: no reader ever reaches them, so nothing shown changes.
pyHanko clears such orphans as an LTA update, and the report said "only validation data and
time-stamps were added": words about something that is not in the file. The honest words are
those of objects nothing refers to (`unreferenced`); the file still holds data added after
its last signature. An update whose new object is reached (a new /Info in the trailer) or
that redefines a signed object is not worded so.
"""

from __future__ import annotations

import pytest

from tests.signing.verify import attack_kit as kit

ORPHAN = b"<< /Cedula (nadie me nombra) >>"


def with_orphans(pdf: bytes, *, count: int = 1, trailer: bytes = b"") -> bytes:
    """`pdf` with an update defining `count` new objects (trailer entries `trailer`)."""
    size, previous, root = kit.tail_facts(pdf)
    body, entries = pdf, {}
    for number in range(size, size + count):
        entries[number] = len(body)
        body += b"%d 0 obj\n%s\nendobj\n" % (number, ORPHAN)
    return kit.finish(body + kit.table(entries, size + count, root, previous, trailer),
                      len(body))


@pytest.mark.parametrize("count", [1, 3])
def test_objects_nothing_refers_to_are_not_called_validation_data(verifier, signed, count):
    report = verifier.verify(with_orphans(signed, count=count))
    assert report.conclusion.passed and report.unsigned_additions
    signature = report.signatures[0]
    assert (signature.covers_whole_document, signature.modifications.level) == (
        False, "unreferenced")


def test_in_two_updates_too(verifier, signed):
    report = verifier.verify(with_orphans(with_orphans(signed)))
    assert report.signatures[0].modifications.level == "unreferenced"


def test_an_object_the_trailer_names_is_not_unreferenced(verifier, signed):
    size = kit.tail_facts(signed)[0]
    report = verifier.verify(with_orphans(signed, trailer=b" /Info %d 0 R" % size))
    assert report.signatures[0].modifications.level != "unreferenced"


def test_the_api_and_the_page_say_so(client, verifier, signed):
    kit.assert_valid_with_unsigned_additions(client, verifier, with_orphans(signed), "unreferenced")
