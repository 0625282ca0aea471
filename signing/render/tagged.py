"""Tagged PDF: logical structure, marked content and the file itself (ISO 32000-1, 14.7-14.8).

Every piece of page content is either inside a marked-content sequence with an MCID that a
structure element points to, or marked as an artifact (14.8.2.2). The structure tree, its
parent tree, /MarkInfo, /Lang, the document title shown by viewers, XMP metadata and the
embedded fonts make the file readable by assistive technology (the PDF/UA-1 requirements).
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from datetime import datetime

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.metadata.xmp_xml import MetadataStream, update_xmp_with_meta
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.pdf_utils.xref import ObjectStream

from signing.render import typeface

_name = generic.NameObject
FONT_RESOURCES = {typeface.REGULAR: "/R", typeface.BOLD: "/B"}


@dataclass(eq=False)
class Node:
    """A structure element (14.7.2) with standard type `role` (14.8.4)."""

    role: str
    children: list[Node | Mark] = field(default_factory=list)
    alt: str | None = None
    attributes: dict[str, object] | None = None

    def add(self, role: str, **kwargs: object) -> Node:
        child = Node(role, **kwargs)  # type: ignore[arg-type]
        self.children.append(child)
        return child


@dataclass(frozen=True)
class Mark:
    """A marked-content sequence: `mcid` on page number `page` (0-based)."""

    page: int
    mcid: int


@dataclass(eq=False)
class Page:
    number: int
    ops: list[bytes] = field(default_factory=list)
    owners: list[Node] = field(default_factory=list)

    def tagged(self, node: Node, ops: bytes) -> None:
        """Draw `ops` as content of the structure element `node`."""
        mcid = len(self.owners)
        self.owners.append(node)
        node.children.append(Mark(self.number, mcid))
        self.ops.append(b"/%s <</MCID %d>> BDC\n%sEMC\n" % (node.role.encode(), mcid, ops))

    def artifact(self, ops: bytes, kind: str = "Layout", subtype: str | None = None) -> None:
        """Draw `ops` as an artifact: decoration, or a running header or footer (14.8.2.2)."""
        props = f"/Type /{kind}" + (f" /Subtype /{subtype}" if subtype else "")
        self.ops.append(b"/Artifact <<%s>> BDC\n%sEMC\n" % (props.encode(), ops))


@dataclass(frozen=True)
class Metadata:
    title: str
    author: str
    subject: str
    language: str
    created: datetime


def write(*, pages: list[Page], root: Node, size: tuple[float, float], meta: Metadata,
          glyphs: dict[str, set[int]]) -> bytes:
    """The PDF file: pages, fonts, structure tree, metadata."""
    info = generic.DictionaryObject({
        _name("/Title"): generic.TextStringObject(meta.title),
        _name("/Author"): generic.TextStringObject(meta.author),
        _name("/Subject"): generic.TextStringObject(meta.subject),
        _name("/Creator"): generic.TextStringObject("Cédula"),
        _name("/CreationDate"): generic.pdf_date(meta.created),
        _name("/ModDate"): generic.pdf_date(meta.created),
    })
    writer = PdfFileWriter(stream_xrefs=True, info=info)
    document_meta = writer.document_meta
    document_meta.title = meta.title
    document_meta.author = meta.author
    document_meta.subject = meta.subject
    document_meta.creator = "Cédula"
    document_meta.created = meta.created
    # An XMP stream in the catalog makes the writer keep XMP and /Info in step (14.3.2).
    writer.root[_name("/Metadata")] = writer.add_object(
        MetadataStream.from_xmp(update_xmp_with_meta(document_meta)))
    fonts = generic.DictionaryObject({
        _name(FONT_RESOURCES[name]): typeface.embed(writer, name, used)
        for name, used in glyphs.items() if used
    })
    resources = writer.add_object(generic.DictionaryObject({_name("/Font"): fonts}))
    objects = writer.prepare_object_stream()
    page_refs = []
    for page in pages:
        content = generic.StreamObject({_name("/Filter"): _name("/FlateDecode")},
                                       encoded_data=zlib.compress(b"".join(page.ops), 6))
        page_obj = PageObject(contents=writer.add_object(content),
                              media_box=(0, 0, *size), resources=resources)
        page_obj[_name("/StructParents")] = generic.NumberObject(page.number)
        page_obj[_name("/Tabs")] = _name("/S")
        page_refs.append(writer.insert_page(page_obj))

    tree_root = writer.add_object(generic.DictionaryObject(
        {_name("/Type"): _name("/StructTreeRoot")}), obj_stream=objects)
    refs: dict[int, generic.IndirectObject] = {}
    document = _element(writer, objects, root, tree_root, page_refs, refs)
    parent_tree = generic.ArrayObject()
    for page in pages:
        parent_tree.append(generic.NumberObject(page.number))
        parent_tree.append(generic.ArrayObject(refs[id(owner)] for owner in page.owners))
    tree = tree_root.get_object()
    tree[_name("/K")] = generic.ArrayObject([document])
    tree[_name("/ParentTree")] = writer.add_object(
        generic.DictionaryObject({_name("/Nums"): parent_tree}), obj_stream=objects)
    tree[_name("/ParentTreeNextKey")] = generic.NumberObject(len(pages))

    catalog = writer.root
    catalog[_name("/MarkInfo")] = generic.DictionaryObject(
        {_name("/Marked"): generic.BooleanObject(True)})
    catalog[_name("/Lang")] = generic.TextStringObject(meta.language)
    catalog[_name("/StructTreeRoot")] = tree_root
    catalog[_name("/ViewerPreferences")] = generic.DictionaryObject(
        {_name("/DisplayDocTitle"): generic.BooleanObject(True)})
    # PDF 2.0 from the first byte: the PAdES signature (ISO 32000-2 DSS and document
    # time-stamps) declares /Version /2.0, which must not sit under a %PDF-1.7 header.
    writer.ensure_output_version((2, 0))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _element(writer: PdfFileWriter, objects: ObjectStream, node: Node, parent: generic.IndirectObject,
             page_refs: list[generic.IndirectObject], refs: dict[int, generic.IndirectObject]
             ) -> generic.IndirectObject:
    elem = generic.DictionaryObject({
        _name("/Type"): _name("/StructElem"),
        _name("/S"): _name(f"/{node.role}"),
        _name("/P"): parent,
    })
    ref = writer.add_object(elem, obj_stream=objects)
    refs[id(node)] = ref
    marks = [child for child in node.children if isinstance(child, Mark)]
    home = marks[0].page if marks else None
    if home is not None:
        elem[_name("/Pg")] = page_refs[home]
    kids = generic.ArrayObject()
    for child in node.children:
        if isinstance(child, Node):
            kids.append(_element(writer, objects, child, ref, page_refs, refs))
        elif child.page == home:
            kids.append(generic.NumberObject(child.mcid))
        else:
            kids.append(generic.DictionaryObject({
                _name("/Type"): _name("/MCR"),
                _name("/Pg"): page_refs[child.page],
                _name("/MCID"): generic.NumberObject(child.mcid),
            }))
    elem[_name("/K")] = kids
    if node.alt is not None:
        elem[_name("/Alt")] = generic.TextStringObject(node.alt)
    if node.attributes:
        elem[_name("/A")] = generic.DictionaryObject(
            {_name(f"/{key}"): _pdf_value(value) for key, value in node.attributes.items()})
    return ref


def _pdf_value(value: object) -> generic.PdfObject:
    if isinstance(value, str):
        return _name(f"/{value}")
    if isinstance(value, tuple | list):
        return generic.ArrayObject(generic.FloatObject(round(v, 2)) for v in value)
    raise TypeError(f"no PDF form for attribute value {value!r}")
