"""A file of thousands of empty incremental updates (pdfatk6, open point 3).

Each update is a cross-reference section that lists nothing and a trailer naming the previous
one (`xref 0 0 trailer << /Prev ... >>`, 60 bytes). pyHanko's reader follows the whole /Prev
chain when the file is opened, before any signature is looked at: about 3 ms a section, so a
20 MB upload (`[verify] max_upload_bytes`) of 350,000 of them kept a request thread busy for
well over a minute, before the verification's time budget and its concurrency slots apply
(`reading.read_pdf` runs in the caller's thread). The reader now stops at
`pdf_parsing.MAX_SECTIONS` sections: "document_too_complex" (422), after reading no more.
"""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils.xref import XRefBuilder

from signing import pdf_parsing
from signing.verify.errors import UnreadableDocument
from tests.signing.verify import attack_kit as kit


def flooded(pdf: bytes, sections: int) -> bytes:
    """`pdf` followed by `sections` empty incremental updates, each naming the one before."""
    size, previous, root = kit.tail_facts(pdf)
    parts, at = [pdf], len(pdf)
    for _ in range(sections):
        part = b"xref\n0 0\ntrailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" \
            % (size, root, previous, at)
        parts.append(part)
        previous, at = at, at + len(part)
    return b"".join(parts)


@pytest.fixture
def sections_read(monkeypatch) -> list[int]:
    """How many cross-reference tables the reader parses (one entry each)."""
    read: list[int] = []
    original = XRefBuilder._read_xref_table

    def counted(self, declared_startxref):
        read.append(declared_startxref)
        return original(self, declared_startxref)

    monkeypatch.setattr(XRefBuilder, "_read_xref_table", counted)
    return read


def test_a_flood_of_empty_updates_is_refused_as_it_is_read(verifier, signed, sections_read):
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(flooded(signed, pdf_parsing.MAX_SECTIONS + 50))
    assert info.value.error == "document_too_complex"
    assert "revisions" in str(info.value)
    assert len(sections_read) <= pdf_parsing.MAX_SECTIONS + 1


def test_many_revisions_below_the_cap_are_still_read(verifier, signed):
    report = verifier.verify(flooded(signed, 20))
    assert report.conclusion.passed and report.unsigned_additions
    assert report.signatures[0].modifications.level == "unchanged"


def test_the_api_answers_422(client, verifier, signed):
    body = kit.over_http(client, verifier, flooded(signed, pdf_parsing.MAX_SECTIONS + 50))
    assert (body["status"], body["error"]) == (422, "document_too_complex"), body



def test_the_signing_side_stops_at_the_cap_too(monkeypatch):
    """An agency's prepared PDF or a citizen's upload is read by the signing side
    (`signing.pdf_input.check_pdf`), in a process that may never have built a verifier: the cap
    is one of the parser patches every reader of an upload installs, not the verifier's alone
    (it was installed by `Verifier()` only, for the whole process, so a process that had not
    built one read the whole chain)."""
    from signing.pdf_input import InvalidPdf, check_pdf
    from tests.signing.verify import samples

    read: list[int] = []
    original = pdf_parsing._READ_TABLE

    def counted(self, declared_startxref):
        read.append(declared_startxref)
        return original(self, declared_startxref)

    monkeypatch.setattr(pdf_parsing, "_READ_TABLE", counted)  # what the cap calls on
    # pyHanko's reader as a process that only signs has it: no cap installed yet.
    monkeypatch.setattr(XRefBuilder, "_read_xref_table", counted)
    monkeypatch.setattr(XRefBuilder, "_read_xref_stream", pdf_parsing._READ_STREAM)
    with pytest.raises(InvalidPdf) as info:
        check_pdf(flooded(samples.blank_pdf(), pdf_parsing.MAX_SECTIONS + 50), max_bytes=20 * 1024 * 1024)
    assert info.value.key == "too_complex"
    assert len(read) <= pdf_parsing.MAX_SECTIONS + 1
