"""Work spent finding active content, bounded by the nodes it visits (round 5).

`active_content.found` promises at most `MAX_NODES` nodes visited, but counted only the nodes
of the page and field trees: every page's /Annots array was read in full, each time. Pages that
share one (indirect) /Annots array of many annotations made it read pages x annotations
entries: 400 pages and 1,000 links, a file of 170 KB, read 400,000 annotations; ten
times as many pages, four million, from objects already parsed (so never counted against the
verification's object allowance nor stopped at its time checks): the worker went on after the
verifier stopped waiting, holding one of the two verification slots. (Work is counted here,
never timed.)
"""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.verify import active_content

PAGES, LINKS = 400, 1_000


def _shared_annotations(*, script: bool = False) -> bytes:
    """`PAGES` pages with one and the same /Annots array of `LINKS` web links (the last one
    running JavaScript when `script`)."""
    writer = PdfFileWriter()
    links = [writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"),
        N("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 10, 10)]),
        N("/A"): generic.DictionaryObject({N("/S"): N("/URI"),
                                           N("/URI"): generic.TextStringObject("https://e.es")}),
    })) for _ in range(LINKS)]
    if script:
        links[-1].get_object()[N("/A")] = generic.DictionaryObject({
            N("/S"): N("/JavaScript"), N("/JS"): generic.TextStringObject("app.alert(1)")})
    shared = writer.add_object(generic.ArrayObject(links))
    for _ in range(PAGES):
        writer.insert_page(generic.DictionaryObject({
            N("/Type"): N("/Page"), N("/Annots"): shared,
            N("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        }))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _reads(monkeypatch) -> list[int]:
    counted = [0]
    original = active_content._annotation

    def counting(annotation, kinds):
        counted[0] += 1
        return original(annotation, kinds)

    monkeypatch.setattr(active_content, "_annotation", counting)
    return counted


def test_a_shared_annotation_array_is_read_once(monkeypatch):
    counted = _reads(monkeypatch)
    reader = PdfFileReader(io.BytesIO(_shared_annotations()))
    assert active_content.found(reader) == ()
    assert counted[0] <= LINKS


def test_what_it_holds_is_still_told(monkeypatch):
    counted = _reads(monkeypatch)
    reader = PdfFileReader(io.BytesIO(_shared_annotations(script=True)))
    assert active_content.found(reader) == ("actions",)
    assert counted[0] <= LINKS


def test_annotations_count_against_the_nodes_visited(monkeypatch):
    monkeypatch.setattr(active_content, "MAX_NODES", 500)
    counted = _reads(monkeypatch)
    active_content.found(PdfFileReader(io.BytesIO(_shared_annotations())))
    assert counted[0] <= 500
