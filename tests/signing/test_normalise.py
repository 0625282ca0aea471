"""Uploads normalised before a citizen approves them (issue 13): what is shown is what is signed.

Each crafted file carries one thing that can change what a viewer shows after the approval or
act on opening; the normalised file must have none of it, show the appearance the citizen saw
(checked with poppler's pdftotext, an independent reader), and be stable (normalising twice
changes nothing).
"""

from __future__ import annotations

import io
import subprocess

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.normalise import findings, normalise, require_normalised
from signing.pdf_input import InvalidPdf
from tests.signing.verify import samples
from tests.support.parts import require_executable

LIMIT = 10 * 1024 * 1024


def _text(pdf: bytes) -> str:
    tool = require_executable("pdftotext", "apt install poppler-utils")
    out = subprocess.run([tool, "-", "-"], input=pdf, capture_output=True, check=True, timeout=300)
    return " ".join(out.stdout.decode().split())


def _update(pdf: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer, writer.root)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _font(writer):
    return writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}))


def _numbers(*values):
    return generic.ArrayObject([generic.NumberObject(v) for v in values])


def _widget(writer, page_ref, *, shown: str, stored: str, flags: int = 0, name: str = "Total"):
    """A text field whose appearance shows `shown` while its value is `stored`."""
    appearance = writer.add_object(generic.StreamObject(
        {N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"), N("/BBox"): _numbers(0, 0, 200, 30),
         N("/Resources"): generic.DictionaryObject({N("/Font"): generic.DictionaryObject(
             {N("/Helv"): _font(writer)})})},
        stream_data=f"BT /Helv 12 Tf 2 10 Td ({shown}) Tj ET".encode()))
    return writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/FT"): N("/Tx"),
        N("/T"): generic.TextStringObject(name), N("/Rect"): _numbers(72, 600, 272, 630),
        N("/F"): generic.NumberObject(flags), N("/P"): page_ref,
        N("/V"): generic.TextStringObject(stored),
        N("/AP"): generic.DictionaryObject({N("/N"): appearance})}))


def shadow_form(*, flags: int = 0) -> bytes:
    """The shadow attack's starting point: shows "Total 100 EUR", stores "Total 9999 EUR",
    with /NeedAppearances on, so that some viewers show one and some the other."""
    def change(writer, root):
        page_ref = root["/Pages"]["/Kids"].raw_get(0)
        widget = _widget(writer, page_ref, shown="Total 100 EUR", stored="Total 9999 EUR",
                         flags=flags)
        page_ref.get_object()[N("/Annots")] = generic.ArrayObject([widget])
        writer.mark_update(page_ref)
        root[N("/AcroForm")] = writer.add_object(generic.DictionaryObject({
            N("/Fields"): generic.ArrayObject([widget]),
            N("/NeedAppearances"): generic.BooleanObject(True)}))
    return _update(samples.blank_pdf(), change)


def _javascript(writer, code: str = "app.alert('x')"):
    return writer.add_object(generic.DictionaryObject({
        N("/S"): N("/JavaScript"), N("/JS"): generic.TextStringObject(code)}))


def active_content() -> bytes:
    """JavaScript on opening, in the name tree, on the page, in a link and in an outline; an
    attached file (name tree and annotation); a launch action."""
    def change(writer, root):
        page_ref = root["/Pages"]["/Kids"].raw_get(0)
        page = page_ref.get_object()
        root[N("/OpenAction")] = _javascript(writer)
        root[N("/AA")] = generic.DictionaryObject({N("/WC"): _javascript(writer)})
        page[N("/AA")] = generic.DictionaryObject({N("/O"): _javascript(writer)})
        embedded = writer.add_object(generic.StreamObject(
            {N("/Type"): N("/EmbeddedFile")}, stream_data=b"MZ payload"))
        spec = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Filespec"), N("/F"): generic.TextStringObject("x.exe"),
            N("/EF"): generic.DictionaryObject({N("/F"): embedded})}))
        root[N("/Names")] = generic.DictionaryObject({
            N("/JavaScript"): generic.DictionaryObject({N("/Names"): generic.ArrayObject([
                generic.TextStringObject("init"), _javascript(writer)])}),
            N("/EmbeddedFiles"): generic.DictionaryObject({N("/Names"): generic.ArrayObject([
                generic.TextStringObject("x.exe"), spec])})})
        uri = generic.DictionaryObject({N("/S"): N("/URI"),
                                        N("/URI"): generic.TextStringObject("https://gob.sv")})
        good_link = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"), N("/Rect"): _numbers(0, 0, 9, 9),
            N("/A"): uri}))
        bad_link = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"),
            N("/Rect"): _numbers(10, 0, 19, 9), N("/A"): _javascript(writer)}))
        attachment = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Annot"), N("/Subtype"): N("/FileAttachment"),
            N("/Rect"): _numbers(20, 0, 29, 9), N("/FS"): spec}))
        page[N("/Annots")] = generic.ArrayObject([good_link, bad_link, attachment])
        writer.mark_update(page_ref)
        launch = generic.DictionaryObject({N("/S"): N("/Launch"),
                                           N("/F"): generic.TextStringObject("cmd.exe")})
        outlines = writer.add_object(generic.DictionaryObject({N("/Type"): N("/Outlines")}))
        item = writer.add_object(generic.DictionaryObject({
            N("/Title"): generic.TextStringObject("Inicio"), N("/Parent"): outlines,
            N("/A"): launch}))
        outlines.get_object()[N("/First")] = item
        outlines.get_object()[N("/Last")] = item
        root[N("/Outlines")] = outlines
    return _update(samples.blank_pdf(), change)


@pytest.fixture(scope="module")
def pki() -> samples.Pki:
    return samples.build_pki()


def _reader(pdf: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(pdf), strict=False)


def test_shadow_form_is_flattened_to_what_it_showed():
    pdf = shadow_form()
    assert findings(_reader(pdf)) == ["form_fields", "need_appearances"]
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("form_fields", "need_appearances", "earlier_revisions")
    out = result.checked.data
    reader = _reader(out)
    assert "/AcroForm" not in reader.root
    assert "/Annots" not in reader.root["/Pages"]["/Kids"][0]
    assert b"9999" not in out and b"/NeedAppearances" not in out
    assert "Importe: 100 EUR Total 100 EUR" in _text(out)
    assert findings(reader) == [] and reader.total_revisions == 1
    assert result.checked.sha256 != result.original_sha256


def test_hidden_widget_is_not_drawn():
    result = normalise(shadow_form(flags=2), max_bytes=LIMIT)
    assert "Total" not in _text(result.checked.data)
    assert b"/Annots" not in result.checked.data


def test_javascript_attachments_and_launch_actions_are_removed():
    pdf = active_content()
    assert findings(_reader(pdf)) == ["javascript", "open_action", "additional_actions",
                                      "embedded_files", "active_annotations", "actions"]
    out = normalise(pdf, max_bytes=LIMIT).checked.data
    for needle in (b"/JavaScript", b"/JS", b"/OpenAction", b"/AA", b"/EmbeddedFile",
                   b"/FileAttachment", b"/Launch", b"MZ payload", b"cmd.exe"):
        assert needle not in out, needle
    reader = _reader(out)
    page = reader.root["/Pages"]["/Kids"][0]
    links = [a.get_object() for a in page["/Annots"]]
    assert [(a["/Subtype"], a["/A"]["/S"] if "/A" in a else None) for a in links] == \
        [("/Link", "/URI"), ("/Link", None)]  # the script link stays, doing nothing
    assert "/A" not in reader.root["/Outlines"]["/First"]  # the item stays, its action goes
    assert findings(reader) == []


def test_earlier_revisions_are_not_kept():
    """What an earlier revision said (and an incremental update hid) is not carried along."""
    def change(writer, root):
        page = root["/Pages"]["/Kids"][0]
        page[N("/Contents")] = writer.add_object(generic.StreamObject(
            stream_data=b"BT /F1 18 Tf 72 760 Td (Importe: 5 EUR) Tj ET"))
        writer.mark_update(root["/Pages"]["/Kids"].raw_get(0))
    pdf = _update(samples.blank_pdf(), change)
    result = normalise(pdf, max_bytes=LIMIT)
    assert result.removed == ("earlier_revisions",)
    assert b"100 EUR" not in result.checked.data and "Importe: 5 EUR" in _text(result.checked.data)


def test_normalising_is_idempotent_and_keeps_clean_files_as_they_are():
    clean = samples.blank_pdf()
    assert normalise(clean, max_bytes=LIMIT).checked.data == clean
    once = normalise(shadow_form(), max_bytes=LIMIT).checked.data
    again = normalise(once, max_bytes=LIMIT)
    assert again.checked.data == once and again.removed == ()


def test_signed_file_with_a_form_is_refused_and_a_clean_signed_file_kept(pki):
    signer = samples.signer_for(pki.signer, pki)
    clean = samples.sign(samples.blank_pdf(), signer)
    assert normalise(clean, max_bytes=LIMIT).checked.data == clean
    with_form = samples.sign(shadow_form(), signer)
    with pytest.raises(InvalidPdf) as refused:
        normalise(with_form, max_bytes=LIMIT)
    assert refused.value.key == "signed_active"
    assert "(form_fields)" in refused.value.message("en")


def test_require_normalised_names_what_is_left():
    require_normalised(samples.blank_pdf())
    with pytest.raises(InvalidPdf) as refused:
        require_normalised(active_content())
    assert refused.value.key == "not_normalised"
    assert refused.value.params["found"] == ("javascript, open_action, additional_actions, "
                                             "embedded_files, active_annotations, actions")


def test_a_cyclic_page_tree_and_outline_are_each_read_once():
    """A page tree and an outline that contain themselves: both walks end, and what they carry
    is found (a page's additional actions, an outline item's launch action), and the loop in
    the page tree is named (`repeated_pages`, pdfatk10: pdf.js refuses such a tree). A form
    tree with a cycle is refused by pyHanko before the walk."""
    def change(writer, root):
        pages_ref = root.raw_get("/Pages")
        pages = pages_ref.get_object()
        pages["/Kids"].append(pages_ref)
        page = pages["/Kids"][0]
        page[N("/AA")] = generic.DictionaryObject({N("/O"): _javascript(writer)})
        writer.mark_update(pages["/Kids"].raw_get(0))
        writer.mark_update(pages_ref)
        item = writer.add_object(generic.DictionaryObject({
            N("/Title"): generic.TextStringObject("Inicio"),
            N("/A"): generic.DictionaryObject({N("/S"): N("/Launch"),
                                               N("/F"): generic.TextStringObject("cmd.exe")})}))
        item.get_object()[N("/Next")] = item
        item.get_object()[N("/First")] = item
        root[N("/Outlines")] = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Outlines"), N("/First"): item}))
    assert findings(_reader(_update(samples.blank_pdf(), change))) == [
        "additional_actions", "actions", "repeated_pages"]
