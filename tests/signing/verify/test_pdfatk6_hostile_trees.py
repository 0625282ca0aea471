"""A signed page tree that cannot be walked, then an update (pdfatk6, open point 3).

A document whose signed revision holds a cyclic page tree (a /Pages node that is its own kid)
or one nested thousands of levels deep verifies as long as the signature covers the whole file.
Once any update follows (an empty one, validation data), the difference analysis walks the
signed revision's page tree and fails (a circular reference, Python's recursion limit); the
signature was then reported as a broken signature (TOTAL-FAILED, FORMAT_FAILURE: "not valid"),
a verdict about the signer for a file the verifier could not examine. The answer is the one for
any PDF that cannot be read: 422 `damaged_pdf` ("cannot be checked"), never a 500, bounded.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.verify.errors import UnreadableDocument
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples
from tests.signing.verify.test_pdfatk6_empty_updates import empty_table


def _pages_node(writer: PdfFileWriter, parent, kids=()) -> generic.IndirectObject:
    return writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Pages"), N("/Count"): generic.NumberObject(0), N("/Parent"): parent,
        N("/Kids"): generic.ArrayObject(kids)}))


def hostile_tree(kind: str, depth: int = 3000) -> bytes:
    """One page of text, and beside it in the page tree a /Pages node that is its own kid
    ("cyclic") or the top of a chain of `depth` empty /Pages nodes ("deep")."""
    writer = PdfFileWriter()
    font = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}))
    writer.insert_page(generic.DictionaryObject({
        N("/Type"): N("/Page"),
        N("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        N("/Resources"): generic.DictionaryObject({N("/Font"): generic.DictionaryObject(
            {N("/F1"): font})}),
        N("/Contents"): writer.add_object(generic.StreamObject(stream_data=samples.TEXT))}))
    pages = writer.root.raw_get("/Pages")
    top = _pages_node(writer, pages)
    if kind == "cyclic":
        top.get_object()[N("/Kids")].append(top)
    else:
        current = top
        for _ in range(depth):
            below = _pages_node(writer, current)
            current.get_object()[N("/Kids")].append(below)
            current = below
    pages.get_object()["/Kids"].append(top)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def hostile(pki) -> dict[str, bytes]:
    return {kind: samples.sign(hostile_tree(kind), samples.signer_for(pki.signer, pki),
                               stamper=samples.timestamper(pki)) for kind in ("cyclic", "deep")}


@pytest.mark.parametrize("kind", ["cyclic", "deep"])
def test_signed_as_it_is_it_verifies(verifier, hostile, kind):
    report = verifier.verify(hostile[kind])
    assert report.conclusion.passed
    assert report.signatures[0].modifications.level == "none"


@pytest.mark.parametrize("kind", ["cyclic", "deep"])
def test_with_an_update_it_cannot_be_checked_not_called_forged(verifier, hostile, kind):
    with pytest.raises(UnreadableDocument) as info:
        verifier.verify(empty_table(hostile[kind]))
    assert info.value.error == "damaged_pdf"


def test_the_api_answers_422(client, verifier, hostile):
    body = kit.over_http(client, verifier, empty_table(hostile["cyclic"]))
    assert (body["status"], body["error"]) == (422, "damaged_pdf"), body
    assert body["error_description"]
