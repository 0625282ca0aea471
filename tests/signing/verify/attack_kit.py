"""Tools to forge signed PDFs by editing their bytes, shared by the attack-family tests
(`test_attack_*.py`), and the check that the HTTP endpoint says what the service says.

Every forgery here starts from a real signature made by pyHanko (`samples.sign`) and then
edits the file: a key renamed, a number rewritten in place (same width, so every offset
stays), or the CMS re-signed with the signer's own key over what the forged file says it
signs (the strongest form of each attack: the cryptography is sound, the structure is not).
"""

from __future__ import annotations

import hashlib
import io
import re

from asn1crypto import cms
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tests.signing.verify import forgeries

_RANGE = re.compile(rb"/ByteRange\s*\[([^\]]*)\]")


def classic_pdf(objects: list[bytes]) -> bytes:
    """A classic file (one cross-reference table, no update) of `objects`, numbered from 1,
    the catalog first."""
    out, offsets = b"%PDF-1.7\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)


def byte_range_span(pdf: bytes, index: int = 0) -> tuple[int, int]:
    """Start and end of signature `index`'s /ByteRange array's inside (between [ and ])."""
    match = list(_RANGE.finditer(pdf))[index]
    return match.start(1), match.end(1)


def with_byte_range(pdf: bytes, values: str, index: int = 0) -> bytes:
    """`pdf` with signature `index`'s /ByteRange array written as `values`, padded with
    spaces to the same width (every offset in the file stays)."""
    start, end = byte_range_span(pdf, index)
    new = values.encode()
    assert len(new) <= end - start, "the new byte range does not fit"
    return pdf[:start] + new + b" " * (end - start - len(new)) + pdf[end:]


def renamed(pdf: bytes, old: bytes, new: bytes, index: int = -1) -> bytes:
    """Occurrence `index` of the bytes `old` replaced by `new` (same length)."""
    assert len(old) == len(new)
    at = [m.start() for m in re.finditer(re.escape(old), pdf)][index]
    return pdf[:at] + new + pdf[at + len(old):]


def cms_of(pdf: bytes, index: int = 0) -> cms.ContentInfo:
    _, first, second, _ = forgeries._byte_range(pdf, index)
    return cms.ContentInfo.load(bytes.fromhex(pdf[first + 1:second - 1].decode("ascii")))


def signed_bytes(pdf: bytes, ranges: list[int]) -> bytes:
    """The bytes a byte range [a b c d ...] names (offset, length pairs), read as a careless
    reader would: slices clipped at the end of the file."""
    out = b""
    for offset, length in zip(ranges[::2], ranges[1::2], strict=True):
        out += pdf[max(offset, 0):max(offset, 0) + max(length, 0)]
    return out


def resign(info: cms.ContentInfo, key, *, digest: bytes | None = None,
           change=None) -> cms.ContentInfo:
    """The CMS `info` with its first SignerInfo's signed attributes changed by
    `change(list_of_attributes) -> list_of_attributes`, its message digest set to `digest`
    (if given), and signed again with the (ECDSA) `key`. Unsigned attributes are dropped."""
    signed = info["content"]
    signer_info = signed["signer_infos"][0]
    attrs = list(signer_info["signed_attrs"])
    if digest is not None:
        attrs = [a for a in attrs if a["type"].native != "message_digest"]
        attrs.append(cms.CMSAttribute({"type": "message_digest", "values": [digest]}))
    if change is not None:
        attrs = change(attrs)
    attributes = cms.CMSAttributes(attrs)
    signature = key.sign(attributes.dump(force=True), ec.ECDSA(hashes.SHA256()))
    fields = {name: signer_info[name] for name in ("version", "sid", "digest_algorithm",
                                                   "signature_algorithm")}
    signed["signer_infos"] = cms.SignerInfos([cms.SignerInfo(
        {**fields, "signed_attrs": attributes, "signature": signature})])
    return cms.ContentInfo({"content_type": "signed_data", "content": signed})


def put_cms(pdf: bytes, info: cms.ContentInfo, index: int = 0) -> bytes:
    """`info` hex-encoded into signature `index`'s /Contents gap (found by its /Contents <...>
    string, whatever the /ByteRange says), zero-padded."""
    matches = list(re.finditer(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf))
    start, end = matches[index].span(1)
    new = info.dump().hex().encode()
    assert len(new) <= end - start
    return pdf[:start] + new + b"0" * (end - start - len(new)) + pdf[end:]


def resigned_over_byte_range(pdf: bytes, values: str, key, index: int = 0) -> bytes:
    """Universal signature forgery at its strongest: signature `index`'s /ByteRange rewritten
    as `values`, and its CMS signed again (with the signer's key) over exactly the bytes that
    byte range names, so that a verifier that trusts the byte range finds a sound signature."""
    forged = with_byte_range(pdf, values, index)
    ranges = [int(v) for v in values.split()]
    digest = hashlib.sha256(signed_bytes(forged, ranges)).digest()
    return put_cms(forged, resign(cms_of(pdf, index), key, digest=digest), index)


def over_http(client, verifier, pdf: bytes) -> dict:
    """POST /api/verify with `pdf`, the app verifying with `verifier` (the test PKI); the JSON
    answer (any status: 200 with a report, 422 with an error)."""
    from signing.verify.service import get_verification

    service = get_verification(client.application)
    kept = service.verifier
    service.verifier = verifier
    try:
        answer = client.post("/api/verify?lang=en", data=pdf,
                             headers={"Content-Type": "application/pdf"})
    finally:
        service.verifier = kept
    body = answer.get_json()
    body["status"] = answer.status_code
    return body


# Incremental updates written by hand -------------------------------------------------------

def tail_facts(pdf: bytes) -> tuple[int, int, bytes]:
    """(/Size, offset of the last cross-reference section, the /Root reference) of `pdf`."""
    size = int(re.findall(rb"/Size (\d+)", pdf)[-1])
    previous = int(pdf[pdf.rfind(b"startxref") + 9:].split()[0])
    root = re.findall(rb"/Root (\d+ 0 R)", pdf)[-1]
    return size, previous, root


def object_offset(pdf: bytes, number: int) -> int:
    """Where the last definition of object `number` starts in `pdf`."""
    return [m.start() for m in re.finditer(rb"(?<![0-9])%d 0 obj" % number, pdf)][-1]


def stream_object(number: int, data: bytes) -> bytes:
    return b"%d 0 obj\n<< /Length %d >>\nstream\n" % (number, len(data)) + data + \
        b"\nendstream\nendobj\n"


def table(entries: dict[int, int | None], size: int, root: bytes, previous: int,
          extra: bytes = b"") -> bytes:
    """A cross-reference table and trailer: object number -> offset (None: freed)."""
    out = b"xref\n"
    for number, offset in sorted(entries.items()):
        line = b"0000000000 00001 f \n" if offset is None else b"%010d 00000 n \n" % offset
        out += b"%d 1\n" % number + line
    if not entries:
        out += b"0 0\n"
    return out + b"trailer\n<< /Size %d /Root %s /Prev %d%s >>\n" % (size, root, previous, extra)


def finish(body: bytes, xref_at: int) -> bytes:
    return body + b"startxref\n%d\n%%%%EOF\n" % xref_at


def assert_valid_but_told(client, verifier, pdf: bytes, kind: str) -> dict:
    """The signature holds, and the verifier and POST /api/verify both tell the one finding
    `kind` (what the file holds beside its signed pages); the API's answer."""
    report = verifier.verify(pdf)
    assert report.conclusion.passed
    assert report.active_content == (kind,)
    body = over_http(client, verifier, pdf)
    assert body["status"] == 200 and body["verdict"] == "valid"
    assert [a["kind"] for a in body["active_content"]] == [kind]
    return body


def assert_refused_over_http(client, verifier, pdf: bytes, *, reason: str,
                             level: str | None = None, verdict: str = "not_valid",
                             indication: str = "TOTAL-FAILED") -> dict:
    """POST /api/verify says what the service says: the verdict, the indication, and the
    signature's reason in words (and its modification level, if given)."""
    from signing.verify.texts import text

    body = over_http(client, verifier, pdf)
    assert body["status"] == 200, body
    assert (body["verdict"], body["indication"]) == (verdict, indication), body["summary"]
    assert body["advice"]["title"] and body["summary"]
    messages = [s["message"] for s in body["signatures"]]
    assert text(f"verify.reason.{reason}", "en") in messages, messages
    if level is not None:
        assert level in [s["modifications"]["level"] for s in body["signatures"]]
    return body


def assert_refused_over_http_and_on_the_page(client, verifier, pdf: bytes, *, reason: str,
                                             verdict: str, indication: str) -> dict[str, str]:
    """`assert_refused_over_http`, and the /verify page in English and Spanish gives the reason
    in words: {language: the page, HTML entities unescaped}, for what else a test looks for."""
    import html

    from signing.verify.texts import text

    assert_refused_over_http(client, verifier, pdf, reason=reason, verdict=verdict, indication=indication)
    pages = {}
    for language in ("en", "es"):
        _kind, _words, page = over_the_page(client, verifier, pdf, language)
        pages[language] = html.unescape(page)
        assert text(f"verify.reason.{reason}", language) in pages[language]
    return pages


# A document prepared for shadow attacks ------------------------------------------------------

def shadow_ready_pdf() -> bytes:
    """One page whose signed content already holds the forged amount, drawn on an optional
    content layer that is off (ISO 32000-1, 8.11), and a second font prepared before signing
    (referenced by nothing) whose encoding draws "1" as "9": an update that only switches
    the layer on or swaps the font shows "9999 EUR" without touching the signed content."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import NameObject as N
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    helvetica = {N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"),
                 N("/BaseFont"): N("/Helvetica")}
    font = writer.add_object(generic.DictionaryObject(helvetica))
    shadow_font = writer.add_object(generic.DictionaryObject({**helvetica, N("/Encoding"): (
        generic.DictionaryObject({N("/Type"): N("/Encoding"), N("/Differences"): generic.ArrayObject(
            [generic.NumberObject(49), N("/nine")])}))}))
    layer = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/OCG"), N("/Name"): generic.TextStringObject("Capa")}))
    insert_amount_on_layer(writer, font, "Capa", layer)
    writer.root[N("/OCProperties")] = writer.add_object(generic.DictionaryObject({
        N("/OCGs"): generic.ArrayObject([layer]),
        N("/D"): generic.DictionaryObject({N("/OFF"): generic.ArrayObject([layer])})}))
    writer.root[N("/CedulaShadowFont")] = shadow_font
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def insert_amount_on_layer(writer, font, name: str, layer) -> None:
    """A page in `writer` (A4) whose "Importe: 9999 EUR" (in `font`, over a white box) is drawn
    in the marked content of optional content group `layer`, named `name` in its resources."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import NameObject as N

    from tests.signing.verify import samples

    content = writer.add_object(generic.StreamObject(stream_data=samples.TEXT + (
        b" /OC /%s BDC 1 1 1 rg 70 750 300 30 re f 0 0 0 rg" % name.encode()
        + b" BT /F1 18 Tf 72 760 Td (Importe: 9999 EUR) Tj ET EMC")))
    writer.insert_page(generic.DictionaryObject({
        N("/Type"): N("/Page"),
        N("/MediaBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)]),
        N("/Resources"): generic.DictionaryObject({
            N("/Font"): generic.DictionaryObject({N("/F1"): font}),
            N("/Properties"): generic.DictionaryObject({N("/" + name): layer})}),
        N("/Contents"): content}))


def over_the_page(client, verifier, pdf: bytes, language: str = "en") -> tuple[str, str, str]:
    """Upload `pdf` on the /verify page, the app verifying with `verifier`: (data-verdict of
    the page's h1, the h1's words, the page)."""
    import io

    from signing.verify.service import get_verification
    from tests.signing.verify.test_verdict_pages import _token, verdict_of

    service = get_verification(client.application)
    kept = service.verifier
    service.verifier = verifier
    try:
        page = client.post(f"/verify?lang={language}",
                           data={"csrf_token": _token(client),
                                 "file": (io.BytesIO(pdf), "documento.pdf")},
                           content_type="multipart/form-data",
                           headers={"Accept-Language": language}).get_data(as_text=True)
    finally:
        service.verifier = kept
    kind, words, _role = verdict_of(page)
    return kind, words, page


def assert_valid_with_unsigned_additions(client, verifier, pdf: bytes, level: str) -> None:
    """`pdf` is valid with unsigned additions at modification level `level`, over the API and on
    the /verify page in English and Spanish, which name that level and not validation data."""
    from signing.verify.texts import text

    body = over_http(client, verifier, pdf)
    assert (body["status"], body["verdict"], body["unsigned_additions"]) == (200, "valid", True)
    assert body["signatures"][0]["modifications"]["level"] == level
    for language in ("en", "es"):
        kind, _words, page = over_the_page(client, verifier, pdf, language)
        assert kind == "valid"
        assert text(f"verify.modifications.{level}", language) in page
        assert text("verify.modifications.validation_data", language) not in page


def updated(pdf: bytes, change) -> bytes:
    """`pdf` with one incremental update: what `change(writer)` does to it."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_widget(writer, page, widget, field=None) -> bytes:
    """The update in `writer` with `widget` added to `page`'s annotations and `field` (the
    widget itself unless given: a field that is its own widget) to the form's fields."""
    page[NameObject("/Annots")] = generic.ArrayObject([*(page.get("/Annots") or []), widget])
    writer.update_container(page)
    form = writer.root["/AcroForm"]
    form[NameObject("/Fields")] = generic.ArrayObject([*form.raw_get("/Fields"), widget if field is None else field])
    if isinstance(writer.root.raw_get("/AcroForm"), generic.IndirectObject):
        writer.update_container(form)
    else:
        writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def amount_painted_over(writer):
    """The first page (its reference and dictionary), the box (0 0 300 40) and a form XObject
    that paints "Importe: 9999 EUR" over the amount there: what an overlay draws."""
    ref = writer.root["/Pages"]["/Kids"][0]
    box = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 300, 40)])
    appearance = writer.add_object(generic.StreamObject(
        {NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
         NameObject("/BBox"): box},
        stream_data=b"1 1 1 rg 0 0 300 40 re f 0 0 0 rg BT /Helv 18 Tf 2 10 Td "
                    b"(Importe: 9999 EUR) Tj ET"))
    return ref, ref.get_object(), box, appearance


def indirect_length_pdf() -> bytes:
    """One page whose content stream's /Length is an indirect object (5 0 R, here 48), as
    many producers write it."""
    from tests.signing.verify import samples

    content = samples.TEXT
    return classic_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                        b"/Resources << /Font << /F1 6 0 R >> >> /Contents 4 0 R >>",
                        b"<< /Length 5 0 R >>\nstream\n" + content + b"\nendstream",
                        str(len(content)).encode(),
                        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def assert_added_field_shown(client, verifier, pdf: bytes, field: str = "Visto") -> None:
    """The field `field` added after signing is taken as drawn over the signed content: the
    signature is INDETERMINATE / SIG_CONSTRAINTS_FAILURE at level form_filling, in-process
    and over the API."""
    first = verifier.verify(pdf).signatures[0]
    assert (first.conclusion.indication.value, first.conclusion.sub_indication) == \
        ("INDETERMINATE", "SIG_CONSTRAINTS_FAILURE")
    assert (first.modifications.level, first.modifications.fields) == ("form_filling", (field,))
    body = over_http(client, verifier, pdf)
    assert (body["status"], body["verdict"]) == (200, "indeterminate")
    assert body["signatures"][0]["modifications"]["level"] == "form_filling"
