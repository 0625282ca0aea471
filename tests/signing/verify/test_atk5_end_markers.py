"""Bytes after a signature that add no revision (round 5).

A signed file followed by `startxref <the signed revision's cross-reference> %%EOF` (once or
more) still reads as the signed revision: readers show what was signed. The file's verdict
already said "valid, with data added after signing", but the signature itself said it covered
the whole file ("covers_whole_document": true, modifications "none": "The signature covers the
whole file: nothing was changed after signing"), while bytes it does not sign followed it. The
honest words: the signature does not cover the whole file; what was added changes nothing in
the document.
"""

from __future__ import annotations

import re

import pytest

from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit


def _end_markers(pdf: bytes) -> bytes:
    """`pdf` followed by a second `startxref`/`%%EOF` naming its last cross-reference."""
    last = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    return pdf + b"startxref\n%d\n%%%%EOF\n" % last


ADDED = {"end_markers": _end_markers, "twice": lambda pdf: _end_markers(_end_markers(pdf))}


@pytest.mark.parametrize("add", ADDED.values(), ids=ADDED.keys())
def test_the_signature_does_not_claim_the_whole_file(verifier, signed, add):
    report = verifier.verify(add(signed))
    assert report.conclusion.passed and report.unsigned_additions
    signature = report.signatures[0]
    assert signature.covers_whole_document is False
    assert signature.modifications.level == "unchanged"
    assert signature.modifications.explanation("en") != text("verify.modifications.none", "en")


def test_the_unsigned_file_still_covers_it_whole(verifier, signed):
    signature = verifier.verify(signed).signatures[0]
    assert (signature.covers_whole_document, signature.modifications.level) == (True, "none")


def test_the_api_and_the_page_say_so(client, verifier, signed):
    pdf = _end_markers(signed)
    body = kit.over_http(client, verifier, pdf)
    assert (body["status"], body["verdict"], body["unsigned_additions"]) == (200, "valid", True)
    signature = body["signatures"][0]
    assert signature["covers_whole_document"] is False
    assert signature["modifications"]["level"] == "unchanged"
    for language in ("en", "es"):
        kind, _words, page = kit.over_the_page(client, verifier, pdf, language)
        assert kind == "valid"
        assert text("verify.modifications.unchanged", language) in page
        assert text("verify.modifications.none", language) not in page
