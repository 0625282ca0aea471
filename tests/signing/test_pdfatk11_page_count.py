"""`CheckedPdf.pages` counts the pages the tree holds, not its top /Count (pdfatk11).

`check_pdf` read the number of pages from the top node's /Count, which a file can set to
anything: a tree holding 3 pages that says 1 was shown to the citizen (and stored) as one
page, one that says 0 was refused as having no pages, and one that says 5 over no page at
all passed as a 5-page document. Cédula has no limit on pages today; every refusal or figure
built on `.pages` now rests on the pages poppler and PDFium show (`page_tree.Survey.pages`).
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.normalise import normalise
from signing.pdf_input import InvalidPdf, check_pdf
from tests.signing.test_normalise import LIMIT
from tests.signing.test_pdfatk10_page_tree import tree


@pytest.mark.parametrize("top_count", [1, 2, 5, 1000])
def test_pages_are_counted_not_read_from_the_top_count(top_count):
    assert check_pdf(tree(top_count=top_count, sub_count=2), max_bytes=LIMIT).pages == 3


def test_a_tree_saying_no_pages_while_holding_three_is_not_refused_as_empty():
    assert check_pdf(tree(top_count=0, sub_count=2), max_bytes=LIMIT).pages == 3
    assert normalise(tree(top_count=0, sub_count=2), max_bytes=LIMIT).checked.pages == 3


def _empty_tree_saying(count: int) -> bytes:
    writer = PdfFileWriter()
    pages = writer.root["/Pages"]
    pages[N("/Kids")] = generic.ArrayObject()
    pages[N("/Count")] = generic.NumberObject(count)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_tree_saying_five_pages_over_none_is_refused_as_empty():
    with pytest.raises(InvalidPdf) as refused:
        check_pdf(_empty_tree_saying(5), max_bytes=LIMIT)
    assert refused.value.key == "no_pages"
