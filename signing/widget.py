"""The signature widget as part of the document's logical structure (ISO 32000-1, 14.7.4.3 and
14.8.4.5; PDF/UA-1, 7.18.1 and 7.18.4): a `Form` structure element whose content is an object
reference (OBJR) to the widget annotation, the widget's `/StructParent` entry in the parent
tree, and an accessible name (`/TU` on the field, `/Alt` on the element).

Only documents with a simple structure tree (one root element, a flat parent tree, as the
renderer writes them) are tagged; anything else is left as it is.
"""

from __future__ import annotations

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

_name = generic.NameObject


def _find_field(writer: IncrementalPdfFileWriter, field_name: str) -> generic.IndirectObject | None:
    form = writer.root.get("/AcroForm")
    if form is None:
        return None
    for ref in form.get_object().get("/Fields", []):
        field = ref.get_object()
        if field.get("/T") == field_name and isinstance(ref, generic.IndirectObject):
            return ref
    return None


def tag_widget(writer: IncrementalPdfFileWriter, *, field_name: str, page: int,
               alt: str) -> bool:
    """Put the widget of `field_name` into the structure tree; True if it was tagged."""
    widget_ref = _find_field(writer, field_name)
    if "/StructTreeRoot" not in writer.root or widget_ref is None:
        return False
    tree = writer.root["/StructTreeRoot"]
    kids = tree.get("/K")
    if not isinstance(kids, generic.ArrayObject) or len(kids) != 1 or "/ParentTree" not in tree:
        return False
    document_ref = kids.raw_get(0)
    parent_tree = tree["/ParentTree"]
    nums = parent_tree.get("/Nums")
    if not isinstance(document_ref, generic.IndirectObject) or nums is None or "/Kids" in parent_tree:
        return False
    page_ref = writer.find_page_for_modification(page)[0]
    key = int(tree.get("/ParentTreeNextKey", len(nums) // 2))

    document = document_ref.get_object()
    element = generic.DictionaryObject({
        _name("/Type"): _name("/StructElem"),
        _name("/S"): _name("/Form"),
        _name("/P"): document_ref,
        _name("/Pg"): page_ref,
        _name("/Alt"): generic.TextStringObject(alt),
        _name("/K"): generic.DictionaryObject({
            _name("/Type"): _name("/OBJR"),
            _name("/Obj"): widget_ref,
            _name("/Pg"): page_ref,
        }),
    })
    element_ref = writer.add_object(element)
    children = document.get("/K")
    if not isinstance(children, generic.ArrayObject):
        children = generic.ArrayObject([] if children is None else [children])
        document[_name("/K")] = children
    children.append(element_ref)
    writer.update_container(document)

    widget = widget_ref.get_object()
    widget[_name("/StructParent")] = generic.NumberObject(key)
    writer.update_container(widget)
    nums.append(generic.NumberObject(key))
    nums.append(element_ref)
    writer.update_container(parent_tree)
    tree[_name("/ParentTreeNextKey")] = generic.NumberObject(key + 1)
    writer.update_container(tree)
    return True
