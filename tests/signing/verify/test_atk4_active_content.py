"""Active content in the pages and the form of a signed file (round 4).

`active_content` tells the citizen what in a validly signed file can act when it is opened
(JavaScript and other actions, attached files). It read the catalog, and then walked the
page tree, the annotations and the form fields by iterating pyHanko arrays, which give their
items as written: a reference for every indirect page, annotation, field or action. Every
such item was skipped as "not a dictionary", so a page's open action (/AA) on any page, a
link or widget running JavaScript, a file attachment annotation or a field's actions were
never told: the report said nothing of a script that writes "9999 EUR" over the amount.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tests.signing.verify import samples

SCRIPT = "this.getField('Nota').value = 'Importe: 9999 EUR';"


def _javascript(writer, *, indirect: bool = True):
    action = generic.DictionaryObject({N("/S"): N("/JavaScript"),
                                       N("/JS"): generic.TextStringObject(SCRIPT)})
    return writer.add_object(action) if indirect else action


def _annotation(writer, page, extra: dict) -> None:
    box = generic.ArrayObject([generic.NumberObject(n) for n in (72, 700, 300, 720)])
    annotation = writer.add_object(generic.DictionaryObject(
        {N("/Type"): N("/Annot"), N("/Rect"): box, **extra}))
    annotations = page.get("/Annots")
    page[N("/Annots")] = generic.ArrayObject([*(annotations.raw_get(i) for i in range(
        len(annotations))), annotation] if annotations is not None else [annotation])


def _link_with_script(writer, page) -> None:
    _annotation(writer, page, {N("/Subtype"): N("/Link"), N("/A"): _javascript(writer)})


def _link_with_a_script_next(writer, page) -> None:
    uri = generic.DictionaryObject({N("/S"): N("/URI"), N("/URI"): generic.TextStringObject(
        "https://example.org/"), N("/Next"): generic.ArrayObject([_javascript(writer)])})
    _annotation(writer, page, {N("/Subtype"): N("/Link"), N("/A"): uri})


def _page_open_action(writer, page) -> None:
    page[N("/AA")] = generic.DictionaryObject({N("/O"): _javascript(writer)})


def _attached_file(writer, page) -> None:
    attached = writer.add_object(generic.StreamObject(stream_data=b"Importe: 9999 EUR"))
    _annotation(writer, page, {N("/Subtype"): N("/FileAttachment"), N("/FS"): (
        generic.DictionaryObject({N("/Type"): N("/Filespec"),
                                  N("/F"): generic.TextStringObject("factura.txt"),
                                  N("/EF"): generic.DictionaryObject({N("/F"): attached})}))})


def _field_action(writer, page) -> None:
    field = writer.root["/AcroForm"]["/Fields"][0]
    field[N("/AA")] = generic.DictionaryObject({N("/K"): _javascript(writer)})
    writer.update_container(field)


def _plain_link(writer, page) -> None:
    _annotation(writer, page, {N("/Subtype"): N("/Link"), N("/A"): writer.add_object(
        generic.DictionaryObject({N("/S"): N("/URI"),
                                  N("/URI"): generic.TextStringObject("https://example.org/")}))})


def _prepared(change) -> bytes:
    """A two-page form (its pages and field indirect, as every producer writes them) with
    `change(writer, second_page)` made before signing."""
    writer = IncrementalPdfFileWriter(io.BytesIO(samples.blank_pdf(with_field=True)))
    second = generic.DictionaryObject({
        N("/Type"): N("/Page"),
        N("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        N("/Contents"): writer.add_object(generic.StreamObject(stream_data=samples.TEXT))})
    writer.insert_page(second)
    page = writer.root["/Pages"]["/Kids"][1]
    change(writer, page)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("change", "kinds"), [
    (_link_with_script, ("actions",)),
    (_link_with_a_script_next, ("actions",)),
    (_page_open_action, ("actions",)),
    (_attached_file, ("embedded_files",)),
    (_field_action, ("actions",)),
])
def test_active_content_in_pages_annotations_and_fields_is_told(verifier, pki, change, kinds):
    pdf = samples.sign(_prepared(change), samples.signer_for(pki.signer, pki),
                       stamper=samples.timestamper(pki))
    report = verifier.verify(pdf)
    assert report.conclusion.passed  # the signed bytes are intact: the verdict stands
    assert report.active_content == kinds


def test_a_plain_web_link_is_not_active_content(verifier, pki):
    pdf = samples.sign(_prepared(_plain_link), samples.signer_for(pki.signer, pki),
                       stamper=samples.timestamper(pki))
    report = verifier.verify(pdf)
    assert report.conclusion.passed
    assert report.active_content == ()
