"""PDFs made safe to approve: what the citizen sees is what they sign (issue 13, shadow attacks).

A PDF uploaded for a citizen's signature (or prepared by an agency) may carry content that
changes what is shown after it was approved: a form field whose appearance says one thing and
whose value another (a viewer told `/NeedAppearances` redraws it from the value), JavaScript
that runs on opening (`/OpenAction`, `/AA`, the `/JavaScript` name tree), files embedded in
it, or earlier revisions hidden behind an incremental update. Before the citizen sees it, the
file is rewritten from scratch:

- every widget's normal appearance (ISO 32000-2, 12.5.5) is drawn into its page's content
  (the appearance the viewer showed, not the stored value) and the form (`/AcroForm`, with its
  `/NeedAppearances`, `/XFA` and fields) is removed;
- `/OpenAction`, additional actions (`/AA`), the `/JavaScript`, `/EmbeddedFiles`,
  `/AlternatePresentations` and `/Renditions` name trees, portfolios (`/Collection`), usage
  rights (`/Perms`) and multimedia, 3D and file-attachment annotations are removed; link and
  outline actions other than go-to and URI links are removed;
- a page tree whose /Count or /Parent entries disagree with the pages it holds (pdf.js trusts
  /Count and skips pages poppler and Chrome show) has them rewritten from its pages
  (`signing.page_tree`); one that reaches a node twice (a page listed twice, a loop) is
  refused (`repeated_pages`); a linearization dictionary whose first page or page count is
  not the tree's (`signing.linearization`: Firefox's and Chrome's viewers show its first
  page instead) is not written again;
- a page that also has /Kids (which PDFium, in Chrome, shows instead of the page itself,
  while poppler and pdf.js show the page) loses its /Kids: every viewer shows the page;
- annotations without a normal appearance stream (links and pop-ups excepted), which each
  viewer draws its own way or not at all, are removed;
- annotations printed but never shown on screen (NoView and Print, ISO 32000-2, 12.5.3), or
  shown only under the pointer (NoView and ToggleNoView), are removed, and the rollover and
  down appearances (/AP /R, /D) of the annotations kept: the preview would not show what the
  signed file prints or shows to whoever points at it;
- optional content keeps the states the screen shows when printed: the automatic states of
  its configurations (`/AS`, which switch layers on printing) and the print states of its
  groups (`/Usage /Print`, ISO 32000-2, 8.11.4.4) are removed;
- content drawn on a layer the default view hides (an optional content group off in
  `/OCProperties /D`, `signing.hidden_layers`: the preview does not show it, any reader's
  layers panel does) is refused (`hidden_layers`): only editing the content streams could
  remove it, which is not done; the citizen is asked to print the file to a new PDF;
- text that replaces what is drawn for screen readers and copy-paste (`/ActualText`, and
  `/Alt` other than an illustration's or a widget's description: `signing.replacement_text`)
  is removed: a page drawing 9999 EUR is no longer read aloud as 100 EUR;
- a page's thumbnail image (`/Thumb`, ISO 32000-2, 12.3.4), which readers that show stored
  thumbnails show instead of the page drawn small (another amount, another page), is removed
  (`thumbnails`);
- only objects reachable from the catalog are written, so earlier revisions are gone.

The result is what the preview shows, what the passkey challenge commits to and what is
signed. A PDF that is already signed cannot be rewritten without breaking its signatures: it is
accepted unchanged only when there is nothing to remove, and refused otherwise.
"""

from __future__ import annotations

import decimal
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter, copy_into_new_writer

from signing import hidden_layers, linearization, page_tree, pdf_parsing, rectangles, replacement_text
from signing.pdf_input import READ_ERRORS, TOO_MANY_DIGITS, CheckedPdf, InvalidPdf, broken, check_pdf, parsing
from signing.pdf_objects import dictionary as _dict
from signing.pdf_objects import entry as _get
from signing.print_states import (
    annotation_flags,
    hover_only,
    paper_only,
    pointer_appearances,
    print_states,
)

CATALOG_ACTIVE = ("/OpenAction", "/AA", "/Collection", "/Perms", "/NeedsRendering")
NAME_TREES_ACTIVE = ("/JavaScript", "/EmbeddedFiles", "/AlternatePresentations", "/Renditions")
ANNOTATIONS_ACTIVE = frozenset({"/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia",
                                "/3D", "/Projection"})
SAFE_ACTIONS = frozenset({"/GoTo", "/URI"})
# annotations shown without an appearance stream by design (a link's area, a pop-up's window)
WITHOUT_APPEARANCE = frozenset({"/Link", "/Popup"})
HIDDEN, NO_VIEW = 1 << 1, 1 << 5  # annotation flags (ISO 32000-2, 12.5.3)
MAX_NODES = 100_000  # page tree, outline and field nodes visited at most

# What a normalisation removed or would remove, as stable keys (shown to the citizen).
FOUND = ("javascript", "open_action", "additional_actions", "embedded_files", "form_fields",
         "need_appearances", "xfa", "active_annotations", "hidden_annotations", "print_layers",
         "actions", "portfolio", "usage_rights", "ambiguous_pages",
         "annotations_without_appearance", "replacement_text", "inconsistent_page_tree",
         "repeated_pages", "hidden_layers", "thumbnails",
         "earlier_revisions")


@dataclass(frozen=True)
class NormalisedPdf:
    checked: CheckedPdf
    """The file to show and sign (pages, signatures and SHA-256 of these bytes)."""
    removed: tuple[str, ...]
    """What was removed or flattened (keys of `FOUND`); empty when nothing was changed."""
    original_sha256: str


def normalise(data: bytes, *, max_bytes: int) -> NormalisedPdf:
    """The PDF rewritten without active content or forms (`InvalidPdf` if it cannot be).

    Raises `InvalidPdf("signed_active")` for a signed PDF that has something to remove, and
    `InvalidPdf("too_complex")` (or `"busy"`, 503) as `pdf_input.parsing` does.
    """
    with parsing(len(data)):
        return _normalise(data, max_bytes=max_bytes)


def _normalise(data: bytes, *, max_bytes: int) -> NormalisedPdf:
    checked = check_pdf(data, max_bytes=max_bytes)
    try:
        reader = pdf_parsing.reader(checked.data, strict=False)
        if checked.signatures:
            found = findings(reader)
            if found:
                raise InvalidPdf("signed_active", found=", ".join(found))
            return NormalisedPdf(checked=checked, removed=(), original_sha256=checked.sha256)
        found = findings(reader)
        if "repeated_pages" in found:  # readers disagree on which pages there are
            raise InvalidPdf("repeated_pages")
        if "hidden_layers" in found:  # the preview would not show what they draw (pdfatk16)
            raise InvalidPdf("hidden_layers", layers=_names(hidden_layers.drawn(reader.root)))
        if reader.total_revisions > 1:
            found.append("earlier_revisions")
        if not found:  # nothing to remove: the same bytes (normalising is idempotent)
            return NormalisedPdf(checked=checked, removed=(), original_sha256=checked.sha256)
        version = max(reader.input_version, (1, 7))
        writer = copy_into_new_writer(reader)
        _Cleaner(writer).clean()
        cleaned = io.BytesIO()
        writer.write(cleaned)
        # A second copy writes only what the cleaned catalog still reaches (no orphans).
        writer = copy_into_new_writer(pdf_parsing.reader(cleaned.getvalue(), strict=False))
        writer.output_version = version
        out = io.BytesIO()
        writer.write(out)
    except InvalidPdf:
        raise
    except READ_ERRORS as exc:
        raise broken(exc) from None
    except decimal.DecimalException:
        # pyHanko writes a real back by quantizing it, which fails past 28 digits
        # (`1000000000000000000000000000000.0`): a file it cannot rewrite (pdfatk15)
        raise InvalidPdf("broken", detail=TOO_MANY_DIGITS) from None
    result = check_pdf(out.getvalue(), max_bytes=max_bytes)
    return NormalisedPdf(checked=result, removed=tuple(found), original_sha256=checked.sha256)


def require_normalised(data: bytes) -> None:
    """`InvalidPdf("not_normalised")` if `data` still has something `normalise` removes."""
    with parsing(len(data)):
        try:
            found = findings(pdf_parsing.reader(data, strict=False))
        except READ_ERRORS as exc:
            raise broken(exc) from None
    if found:
        raise InvalidPdf("not_normalised", found=", ".join(found))


def findings(reader: PdfFileReader) -> list[str]:
    """What in the document can act or change what is shown (keys of `FOUND`), in order.

    Signature fields and the signature dictionaries' DocMDP `/Perms` of a signed file are not
    findings: they are what signing adds.
    """
    found: set[str] = set()
    root = reader.root
    signed = bool(reader.embedded_signatures)
    for key in CATALOG_ACTIVE:
        if key in root and not (key == "/Perms" and signed and _only_docmdp(root["/Perms"])):
            found.add({"/OpenAction": "open_action", "/AA": "additional_actions",
                       "/Collection": "portfolio"}.get(key, "usage_rights"))
    names = _dict(_get(root, "/Names"))
    if names is not None:
        if "/JavaScript" in names:
            found.add("javascript")
        if "/EmbeddedFiles" in names:
            found.add("embedded_files")
        if "/AlternatePresentations" in names or "/Renditions" in names:
            found.add("javascript")
    if any(True for _ in print_states(root)):
        found.add("print_layers")
    form = _dict(_get(root, "/AcroForm"))
    if form is not None:
        if _get(form, "/NeedAppearances"):
            found.add("need_appearances")
        if "/XFA" in form:
            found.add("xfa")
        for node in _field_nodes(form):
            if "/AA" in node:
                found.add("additional_actions")
            if _is_terminal(node) and _field_type(node) != "/Sig":
                found.add("form_fields")
    for page in _pages(root):
        if "/AA" in page:
            found.add("additional_actions")
        if "/Kids" in page:  # Chrome's viewer shows its kids instead (`_is_page`)
            found.add("ambiguous_pages")
        if "/Thumb" in page:  # the thumbnails pane may show it instead of the page (pdfatk18)
            found.add("thumbnails")
        for annot in _annotations(page):
            kind = _get(annot, "/Subtype")
            if kind in ANNOTATIONS_ACTIVE:
                found.add("active_annotations")
            if paper_only(annot) or hover_only(annot) or pointer_appearances(annot):
                found.add("hidden_annotations")
            if _drawn_by_the_viewer(annot):
                found.add("annotations_without_appearance")
            if "/AA" in annot or (kind == "/Widget" and _inherits_actions(annot)):
                found.add("additional_actions")
            if "/A" in annot and not _safe_action(annot["/A"]):
                found.add("actions")
            if kind == "/Widget" and _field_type(annot) != "/Sig":
                found.add("form_fields")
    for item in _outline_items(root):
        if "/A" in item and not _safe_action(item["/A"]):
            found.add("actions")
    if replacement_text.carries(root, _pages(root)):
        found.add("replacement_text")
    if hidden_layers.drawn(root):
        found.add("hidden_layers")
    tree = page_tree.survey(root)
    if tree.repeated:
        found.add("repeated_pages")
    elif tree.inconsistent or linearization.misleads(reader, tree):
        found.add("inconsistent_page_tree")
    return [key for key in FOUND if key in found]


# reading ------------------------------------------------------------------------------------


def _names(layers: tuple[str, ...]) -> str:
    """The layers' names for the citizen: quoted, printable, the first five, each cut short."""
    shown = ['"' + "".join(c for c in name if c.isprintable())[:60] + '"' for name in layers[:5]]
    return ", ".join(shown) + (", ..." if len(layers) > 5 else "")


def _only_docmdp(perms: object) -> bool:
    perms = _dict(perms)
    return perms is not None and set(perms.keys()) <= {"/DocMDP"}


def _field_type(node: generic.DictionaryObject) -> object:
    """`/FT`, inherited from the parents (ISO 32000-2, 12.7.4.1)."""
    seen = 0
    current: generic.DictionaryObject | None = node
    while current is not None and seen < 64:
        if "/FT" in current:
            return current["/FT"]
        current = _dict(_get(current, "/Parent"))
        seen += 1
    return None


def _inherits_actions(widget: generic.DictionaryObject) -> bool:
    """Whether a field above `widget` (its /Parent chain) has additional actions: the
    widget's own, even when /AcroForm /Fields lists no such field (pdf.js reads /AA up the
    chain)."""
    current = _dict(_get(widget, "/Parent"))
    for _ in range(64):
        if current is None:
            return False
        if "/AA" in current:
            return True
        current = _dict(_get(current, "/Parent"))
    return False


def _is_terminal(node: generic.DictionaryObject) -> bool:
    kids = _get(node, "/Kids")
    if not isinstance(kids, generic.ArrayObject) or not kids:
        return True
    return all("/T" not in (_dict(kid) or {}) for kid in kids)  # kids are widgets only


def _walk(start: list[Any], children: Callable[[generic.DictionaryObject], Iterable[Any]],
          ) -> Iterator[generic.DictionaryObject]:
    """Each dictionary reached from `start` once, depth first, visiting at most MAX_NODES (a
    cyclic or huge tree ends)."""
    stack = list(start)
    seen: set[int] = set()
    while stack and len(seen) < MAX_NODES:
        node = _dict(stack.pop())
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(children(node))


def _kids(node: generic.DictionaryObject) -> list[Any]:
    kids = _get(node, "/Kids")
    return list(kids) if isinstance(kids, generic.ArrayObject) else []


def _field_nodes(form: generic.DictionaryObject) -> Iterator[generic.DictionaryObject]:
    """The fields of /Fields and of the calculation order (/CO: Acrobat runs their calculate
    scripts though /Fields may list none of them), and their kids."""
    listed = [_get(form, key) for key in ("/Fields", "/CO")]
    return _walk([field for fields in listed if isinstance(fields, generic.ArrayObject)
                  for field in fields], _kids)


def _is_page(node: generic.DictionaryObject) -> bool:
    """Whether a viewer shows `node` as a page: poppler and pdf.js take a node typed /Page, or
    one without /Kids, for a page (ISO 32000-2, 7.7.3.3), even if it also has /Kids. PDFium
    (Chrome's viewer) takes any node with a /Kids array for a tree node and shows its kids:
    such a page shows one thing in Chrome's preview and another elsewhere
    (`ambiguous_pages`, its /Kids removed)."""
    return _get(node, "/Type") == "/Page" or not isinstance(_get(node, "/Kids"), generic.ArrayObject)


def _pages(root: generic.DictionaryObject) -> Iterator[generic.DictionaryObject]:
    """The page objects in order, with a bound on the nodes visited (cyclic trees end): every
    node some viewer shows as a page (`_is_page`), and the kids of every node with /Kids
    (PDFium walks them, whatever the node's /Type)."""
    tree = _walk([_get(root, "/Pages")], lambda node: reversed(_kids(node)))
    return (node for node in tree if _is_page(node))


def _annotations(page: generic.DictionaryObject) -> list[generic.DictionaryObject]:
    annots = _get(page, "/Annots")
    if isinstance(annots, generic.IndirectObject):
        annots = annots.get_object()
    if not isinstance(annots, generic.ArrayObject):
        return []
    return [a for a in (_dict(ref) for ref in annots) if a is not None]


def _outline_items(root: generic.DictionaryObject) -> Iterator[generic.DictionaryObject]:
    outlines = _dict(_get(root, "/Outlines"))
    return _walk([_get(outlines, "/First")] if outlines is not None else [],
                 lambda item: [x for x in (_get(item, "/Next"), _get(item, "/First")) if x is not None])


def _safe_action(action: object) -> bool:
    """A go-to or URI action with nothing chained after it (ISO 32000-2, 12.6.3)."""
    action = _dict(action)
    return action is not None and _get(action, "/S") in SAFE_ACTIONS and "/Next" not in action


# rewriting ----------------------------------------------------------------------------------


def _number(value: object) -> float:
    """`value` as a finite number (`rectangles.finite`): a rectangle or a matrix with a number
    no float holds is refused, not rewritten into the page as `inf` or `nan` (pdfatk15)."""
    number = rectangles.finite(value)
    if number is None:
        raise InvalidPdf("broken", detail="a finite number was expected in a rectangle or "
                         "matrix")
    return number


def _placement(appearance: generic.StreamObject, rect: list[float]) -> list[float] | None:
    """Matrix A of ISO 32000-2, 12.5.5 mapping the appearance's transformed box onto `rect`."""
    bbox = [_number(v) for v in _get(appearance, "/BBox", [])]
    matrix = [_number(v) for v in _get(appearance, "/Matrix", [1, 0, 0, 1, 0, 0])]
    if len(bbox) != 4 or len(matrix) != 6:
        return None
    a, b, c, d, e, f = matrix
    corners = [(x, y) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
    xs = [a * x + c * y + e for x, y in corners]
    ys = [b * x + d * y + f for x, y in corners]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    x0, y0, x1, y1 = min(rect[0], rect[2]), min(rect[1], rect[3]), \
        max(rect[0], rect[2]), max(rect[1], rect[3])
    if width <= 0 or height <= 0 or x1 <= x0 or y1 <= y0:
        return None
    sx, sy = (x1 - x0) / width, (y1 - y0) / height
    return [sx, 0.0, 0.0, sy, x0 - sx * min(xs), y0 - sy * min(ys)]


def _normal_appearance(annot: generic.DictionaryObject) -> generic.IndirectObject | None:
    """The normal appearance stream the viewer shows (`/AP /N`, by `/AS` for states)."""
    ap = _dict(_get(annot, "/AP"))
    if ap is None or "/N" not in ap:
        return None
    normal = ap.raw_get("/N")
    target = normal.get_object() if isinstance(normal, generic.IndirectObject) else normal
    if isinstance(target, generic.DictionaryObject) and not isinstance(
            target, generic.StreamObject):
        state = _get(annot, "/AS")
        if state is None or state not in target:
            return None
        normal = target.raw_get(state)
        target = normal.get_object() if isinstance(normal, generic.IndirectObject) else normal
    if not isinstance(target, generic.StreamObject) or not isinstance(
            normal, generic.IndirectObject):
        return None
    return normal


def _drawn_by_the_viewer(annot: generic.DictionaryObject) -> bool:
    """A widget is flattened from its appearance or dropped; any other annotation without a
    normal appearance (ISO 32000-2, 12.5.5) is drawn by each viewer its own way, or not at
    all: a stamp /Approved is "Approved" in poppler and Acrobat, nothing in Chrome's preview."""
    return _get(annot, "/Subtype") not in (WITHOUT_APPEARANCE | ANNOTATIONS_ACTIVE | {"/Widget"}) \
        and _normal_appearance(annot) is None


def _inherited(page: generic.DictionaryObject, key: str) -> object:
    current: generic.DictionaryObject | None = page
    for _ in range(64):
        if current is None:
            return None
        if key in current:
            return current[key]
        current = _dict(_get(current, "/Parent"))
    return None


class _Cleaner:
    def __init__(self, writer: BasePdfFileWriter) -> None:
        self.writer = writer
        self.root = writer.root

    def clean(self) -> None:
        for page in list(_pages(self.root)):
            self._page(page)
        for key in (*CATALOG_ACTIVE, "/AcroForm"):
            self.root.pop(key, None)
        for holder, key in list(print_states(self.root)):
            holder.pop(key, None)
        names = _dict(_get(self.root, "/Names"))
        if names is not None:
            for key in NAME_TREES_ACTIVE:
                names.pop(key, None)
        for item in _outline_items(self.root):
            if "/A" in item and not _safe_action(item["/A"]):
                del item["/A"]
            item.pop("/AA", None)
        replacement_text.strip(self.root, list(_pages(self.root)), self.writer.add_object)
        tree = page_tree.survey(self.root)  # after pages lost their /Kids
        if tree.inconsistent and not tree.repeated:
            page_tree.rebuild(tree)

    def _page(self, page: generic.DictionaryObject) -> None:
        page.pop("/AA", None)
        page.pop("/Kids", None)  # a page for every viewer, as poppler and pdf.js read it
        page.pop("/Thumb", None)  # readers draw the page small instead
        drawings: list[tuple[generic.IndirectObject, list[float]]] = []
        kept = generic.ArrayObject()
        annots = _get(page, "/Annots")
        refs = annots.get_object() if isinstance(annots, generic.IndirectObject) else annots
        for ref in refs if isinstance(refs, generic.ArrayObject) else []:
            annot = _dict(ref)
            if annot is None:
                continue
            kind = _get(annot, "/Subtype")
            if kind == "/Widget":
                drawing = self._flatten(annot)
                if drawing is not None:
                    drawings.append(drawing)
                continue
            if kind in ANNOTATIONS_ACTIVE or paper_only(annot) or hover_only(annot) or \
                    _drawn_by_the_viewer(annot):
                continue
            annot.pop("/AA", None)
            appearances = _dict(_get(annot, "/AP"))
            if appearances is not None and pointer_appearances(annot):
                for key in ("/R", "/D"):  # only what the preview draws (`print_states`)
                    appearances.pop(key, None)
            if "/A" in annot and not _safe_action(annot["/A"]):
                del annot["/A"]
            kept.append(ref)
        if kept:
            page[N("/Annots")] = kept
        else:
            page.pop("/Annots", None)
        if drawings:
            self._draw(page, drawings)

    @staticmethod
    def _flatten(annot: generic.DictionaryObject
                 ) -> tuple[generic.IndirectObject, list[float]] | None:
        flags = annotation_flags(annot)
        if flags & (HIDDEN | NO_VIEW):
            return None
        appearance = _normal_appearance(annot)
        rect = _get(annot, "/Rect")
        if appearance is None or not isinstance(rect, generic.ArrayObject) or len(rect) != 4:
            return None
        stream = appearance.get_object()
        placement = _placement(stream, [_number(v) for v in rect])
        if placement is None:
            return None
        stream[N("/Type")] = N("/XObject")
        stream[N("/Subtype")] = N("/Form")
        return appearance, placement

    def _draw(self, page: generic.DictionaryObject,
              drawings: list[tuple[generic.IndirectObject, list[float]]]) -> None:
        """Draw the appearances over the page, outside its own graphics state."""
        resources = generic.DictionaryObject(_dict(_inherited(page, "/Resources")) or {})
        xobjects = generic.DictionaryObject(_dict(_get(resources, "/XObject")) or {})
        commands = [b"Q"]
        for index, (appearance, matrix) in enumerate(drawings):
            name = f"/CedulaFlat{index}"
            while name in xobjects:
                name += "x"
            xobjects[N(name)] = appearance
            numbers = " ".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in matrix)
            commands.append(f"q {numbers} cm {name} Do Q".encode())
        resources[N("/XObject")] = xobjects
        page[N("/Resources")] = resources
        contents = _get(page, "/Contents")
        existing = list(contents) if isinstance(contents, generic.ArrayObject) else \
            [page.raw_get("/Contents")] if contents is not None else []
        before = self.writer.add_object(generic.StreamObject(stream_data=b"q\n"))
        after = self.writer.add_object(generic.StreamObject(
            stream_data=b"\n" + b"\n".join(commands) + b"\n"))
        page[N("/Contents")] = generic.ArrayObject([before, *existing, after])

