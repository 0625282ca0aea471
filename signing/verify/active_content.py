"""What in a verified PDF can act when it is opened, or is not shown with its pages.

A valid signature says the bytes it covers are unchanged; it does not say that what a viewer
shows is all there is. A signed file may carry JavaScript or other actions that run when it is
opened or used (`/OpenAction`, additional actions `/AA`, the `/JavaScript` name tree, actions
of links other than go-to and web links, multimedia), which can change what is shown (fill a
field, hide a page, open another file); files attached to it (`/EmbeddedFiles`, file
attachment annotations), which the report does not show and a reader may take for part of
what was verified; an XFA form, which some viewers show instead of the pages (ISO 32000-1,
12.6, 12.7.8, 7.11.4; 32000-2 deprecates XFA); or what prints otherwise than it shows
(`signing.print_states`: an annotation printed but never displayed, layers switched on or off
for printing), so that the paper may say what the screen and this page do not; or a page
that also has /Kids (`ambiguous_pages`: poppler and pdf.js show the page, PDFium, Chrome's
viewer, its kids instead), so that readers show different pages; or an annotation without
an appearance stream (`annotations_without_appearance`), which each reader draws its own
way or not at all; or a page tree whose /Count or /Parent entries disagree with its pages, or
that reaches a node twice (`inconsistent_page_tree`, `signing.page_tree`: pdf.js trusts
/Count and skips pages poppler and PDFium show); or text that replaces what a page draws for
screen readers and copy-paste (`replacement_text`, `signing.replacement_text`); or a form
field whose value differs from what its appearance draws (`field_values`,
`signing.field_values`: Firefox's viewer shows the value, others the appearance); or an
annotation shown only while the pointer hovers over it (`shown_on_hover`, NoView and
ToggleNoView, or a rollover or down appearance other than its normal one: this page and a
reader who does not point at it do not see it); or content drawn on a layer the default view
hides (`hidden_layer`, `signing.hidden_layers`: an optional content group off in
`/OCProperties /D`, which this page and poppler do not show and any reader's layers panel
switches on); or a page's own thumbnail image (`thumbnail`, `/Thumb`, ISO 32000-2, 12.3.4),
which readers that show stored thumbnails show in their thumbnails pane instead of the page
drawn small: another amount, or another page; or a portfolio (`portfolio`, `/Collection`,
ISO 32000-2, 12.3.5), which Acrobat opens in its portfolio view, showing the files attached,
not the signed pages (only the cover sheet other readers show); or an alternate presentation
(`alternate_presentation`, the `/AlternatePresentations` name tree, ISO 32000-2, 13.5), a
slideshow of images a reader that plays it shows instead of the pages. The
service's
own documents have none of these (`signing.normalise` removes them before sealing or
signing); a file that has them is reported with its verdict unchanged, and the citizen told
what the file holds (`KINDS`), in the latest revision: what a viewer opens.

Read within the verification's budget; a part that cannot be read is skipped (a damaged
structure is not an action a viewer runs either), at most `MAX_NODES` nodes visited (pages,
fields, annotations and outline items, each once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from signing import field_values, hidden_layers, linearization, page_tree, replacement_text
from signing.pdf_objects import identity
from signing.pdf_objects import member as _get
from signing.pdf_objects import resolved as _resolved
from signing.pdf_parsing import BudgetExceeded
from signing.print_states import hover_only, paper_only, pointer_appearances, print_states

KINDS = ("actions", "embedded_files", "xfa", "printed_only", "ambiguous_pages",
         "annotations_without_appearance", "inconsistent_page_tree", "replacement_text",
         "field_values", "shown_on_hover", "hidden_layer", "thumbnail",
         "portfolio", "alternate_presentation")
SAFE_ACTIONS = frozenset({"/GoTo", "/URI"})  # what a link may do without being reported
MULTIMEDIA = frozenset({"/Screen", "/Movie", "/Sound", "/RichMedia", "/3D"})
# shown without an appearance stream by design (a link's area, a pop-up's window, a field)
WITHOUT_APPEARANCE = frozenset({"/Link", "/Popup", "/Widget"})
MAX_NODES = 100_000
MAX_PARENTS = 64  # fields above a widget read at most


@dataclass(frozen=True)
class Findings:
    """What `examined` found: the kinds of `KINDS`, in that order, and the layers hidden by
    default that something draws with, each with the pages it draws on
    (`hidden_layers.on_pages`)."""

    kinds: tuple[str, ...]
    hidden_layers: tuple[tuple[str, tuple[int, ...]], ...] = ()


def found(reader: PdfFileReader) -> tuple[str, ...]:
    """The kinds of `KINDS` present in the latest revision of `reader`, in that order."""
    return examined(reader).kinds


def examined(reader: PdfFileReader) -> Findings:
    """The kinds of `KINDS` present in the latest revision of `reader`, and the hidden layers
    named."""
    kinds: set[str] = set()
    layers: list[tuple[str, tuple[int, ...]]] = []
    root = reader.root
    _check(lambda: _catalog(root, kinds))
    visited = [0]
    _check(lambda: _pages(_get(root, "/Pages"), kinds, visited, set()))
    fields_seen: set[Any] = set()  # /Fields, then the calculation order (/CO) the same way
    for key in ("/Fields", "/CO"):
        _check(lambda key=key: _fields(_get(_get(root, "/AcroForm"), key), kinds, visited,
                                       fields_seen))
    _check(lambda: _outline(_get(root, "/Outlines"), kinds, visited))
    _check(lambda: _page_tree(reader, kinds))
    _check(lambda: kinds.add("field_values") if field_values.differing(root) else None)
    _check(lambda: layers.extend(hidden_layers.on_pages(root)))
    if layers:
        kinds.add("hidden_layer")
    return Findings(tuple(kind for kind in KINDS if kind in kinds), tuple(layers))


def _page_tree(reader: PdfFileReader, kinds: set[str]) -> None:
    """The page tree's own nodes walked once more (each once, bounded, without their
    annotations): counts and parents that lie, a node reached twice, or a linearization
    dictionary in force that names other pages (`signing.linearization`: Firefox's and
    Chrome's viewers show its first page instead of the tree's); then the replacement text of
    the structure tree and of those pages' content (`replacement_text`)."""
    root = reader.root
    tree = page_tree.survey(root)
    if tree.repeated or tree.inconsistent or linearization.misleads(reader, tree):
        kinds.add("inconsistent_page_tree")
    if replacement_text.carries(root, (entry.node for entry in tree.nodes if entry.page),
                                skip_unreadable=True):
        kinds.add("replacement_text")


def _check(read: Any) -> None:
    try:
        read()
    except BudgetExceeded:
        raise
    except Exception:  # noqa: S110 - a part that cannot be read is skipped (module)
        pass



def _catalog(root: generic.DictionaryObject, kinds: set[str]) -> None:
    opening = _get(root, "/OpenAction")
    if isinstance(opening, generic.DictionaryObject) and _acts(opening):
        kinds.add("actions")
    if _get(root, "/AA") is not None:
        kinds.add("actions")
    names = _get(root, "/Names")
    if _get(names, "/JavaScript") is not None:
        kinds.add("actions")
    if _get(names, "/EmbeddedFiles") is not None:
        kinds.add("embedded_files")
    if _get(names, "/AlternatePresentations") is not None:
        kinds.add("alternate_presentation")
    if _get(_get(root, "/AcroForm"), "/XFA") is not None:
        kinds.add("xfa")
    if _get(root, "/Collection") is not None:
        kinds.add("portfolio")
    if any(True for _ in print_states(root)):
        kinds.add("printed_only")


def _acts(action: generic.DictionaryObject) -> bool:
    """An action (or a chain of them, /Next) that does more than go to a place or a web page."""
    chain = [action]
    for _ in range(100):
        if not chain:
            return False
        current = chain.pop()
        if _get(current, "/S") not in SAFE_ACTIONS:
            return True
        following = _get(current, "/Next")
        if isinstance(following, generic.DictionaryObject):
            chain.append(following)
        elif isinstance(following, generic.ArrayObject):
            chain.extend(f for f in map(_resolved, following)
                         if isinstance(f, generic.DictionaryObject))
    return True



def _walk(start: Any, children: Callable[[generic.DictionaryObject], Iterable[Any]],
          visited: list[int], seen: set[Any]) -> Iterator[generic.DictionaryObject]:
    """The dictionaries reached from `start` (as written) through `children` (what a node
    leads to, as written), each once, until `visited[0]` passes MAX_NODES."""
    stack = [start]
    while stack:
        written = stack.pop()
        seen_as = identity(written)
        current = _resolved(written)
        if not isinstance(current, generic.DictionaryObject) or seen_as in seen:
            continue
        visited[0] += 1
        if visited[0] > MAX_NODES:
            return
        seen.add(seen_as)
        yield current
        stack.extend(children(current))


def _nodes(node: Any, key: str, visited: list[int], seen: set[Any]) -> Iterator[Any]:
    """The nodes of a page or field tree (through `key`: /Kids), each once."""
    def kids(current: generic.DictionaryObject) -> Iterable[Any]:
        found = _get(current, key)
        return found if isinstance(found, generic.ArrayObject) else ()
    return _walk(node, kids, visited, seen)


def _pages(tree: Any, kinds: set[str], visited: list[int], seen: set[Any]) -> None:
    for node in _nodes(tree, "/Kids", visited, seen):
        if _get(node, "/AA") is not None:
            kinds.add("actions")
        if _get(node, "/Type") == "/Page" and "/Kids" in node:
            kinds.add("ambiguous_pages")
        if isinstance(_get(node, "/Thumb"), generic.StreamObject):
            kinds.add("thumbnail")
        for annotation in _annotations(node, visited, seen):
            _annotation(annotation, kinds)


def _annotations(page: generic.DictionaryObject, visited: list[int], seen: set[Any]
                 ) -> Iterator[Any]:
    """The annotations of `page` not read yet, each counted as a node visited: pages may share
    one /Annots array (or list the same annotations), which is then read once, not once per
    page (pages x annotations reads of objects already parsed, which no budget check sees)."""
    written = page.raw_get("/Annots") if "/Annots" in page else None
    if isinstance(written, generic.IndirectObject):
        if ("/Annots", written.idnum, written.generation) in seen:
            return
        seen.add(("/Annots", written.idnum, written.generation))
    annotations = _resolved(written)
    for annotation in annotations if isinstance(annotations, generic.ArrayObject) else ():
        visited[0] += 1
        if visited[0] > MAX_NODES:
            return
        if isinstance(annotation, generic.IndirectObject):
            if ("/Annot", annotation.idnum, annotation.generation) in seen:
                continue
            seen.add(("/Annot", annotation.idnum, annotation.generation))
        yield annotation


def _annotation(annotation: Any, kinds: set[str]) -> None:
    annotation = _resolved(annotation)
    if not isinstance(annotation, generic.DictionaryObject):
        return
    kind = _get(annotation, "/Subtype")
    if kind == "/FileAttachment":
        kinds.add("embedded_files")
    if kind in MULTIMEDIA or _get(annotation, "/AA") is not None:
        kinds.add("actions")
    if paper_only(annotation):
        kinds.add("printed_only")
    if hover_only(annotation) or pointer_appearances(annotation):
        kinds.add("shown_on_hover")
    if kind not in WITHOUT_APPEARANCE and kind not in MULTIMEDIA and kind != "/FileAttachment" \
            and not _has_appearance(annotation):
        kinds.add("annotations_without_appearance")
    action = _get(annotation, "/A")
    if isinstance(action, generic.DictionaryObject) and _acts(action):
        kinds.add("actions")
    if kind == "/Widget" and any(_get(parent, "/AA") is not None
                                 for parent in _parents(annotation)):
        kinds.add("actions")


def _parents(node: generic.DictionaryObject) -> Iterator[generic.DictionaryObject]:
    """The fields above a widget (its /Parent chain, at most `MAX_PARENTS`): their additional
    actions are the widget's (ISO 32000-2, 12.7.4.1; pdf.js `collectActions` reads /AA up
    the chain), run even when /AcroForm /Fields lists none of them."""
    current = _resolved(_get(node, "/Parent"))
    for _ in range(MAX_PARENTS):
        if not isinstance(current, generic.DictionaryObject):
            return
        yield current
        current = _resolved(_get(current, "/Parent"))


def _has_appearance(annotation: generic.DictionaryObject) -> bool:
    """Whether `annotation` has the normal appearance stream every reader draws (/AP /N, by
    /AS when it has states; ISO 32000-2, 12.5.5). Without one each reader draws it its own
    way or not at all: a stamp named /Approved is "Approved" in Acrobat and poppler and
    nothing in Chrome's viewer."""
    normal = _get(_get(annotation, "/AP"), "/N")
    if isinstance(normal, generic.DictionaryObject) and \
            not isinstance(normal, generic.StreamObject):
        state = _get(annotation, "/AS")
        normal = _get(normal, state) if isinstance(state, str) else None
    return isinstance(normal, generic.StreamObject)


def _fields(fields: Any, kinds: set[str], visited: list[int], seen: set[Any]) -> None:
    """The actions of the fields of `fields` (the form's /Fields, or its calculation order
    /CO, whose calculate scripts Acrobat runs though /Fields may list none of them) and of
    their kids."""
    for field in fields if isinstance(fields, generic.ArrayObject) else ():
        for node in _nodes(field, "/Kids", visited, seen):
            if _get(node, "/AA") is not None:
                kinds.add("actions")


def _outline(outlines: Any, kinds: set[str], visited: list[int]) -> None:
    """The actions of the outline's items (bookmarks, ISO 32000-2, 12.3.3: an item's /First
    child and /Next sibling), each item once: a click on one runs its /A like a link's."""
    def following(item: generic.DictionaryObject) -> Iterable[Any]:
        return (_written(item, "/Next"), _written(item, "/First"))
    for item in _walk(_written(outlines, "/First"), following, visited, set()):
        action = _get(item, "/A")
        if _get(item, "/AA") is not None or (
                isinstance(action, generic.DictionaryObject) and _acts(action)):
            kinds.add("actions")
            return


def _written(node: Any, key: str) -> Any:
    """`node`'s entry `key` as written (a reference stays one), or None."""
    return node.raw_get(key) if isinstance(node, generic.DictionaryObject) and key in node \
        else None


def acting_fields(reader: PdfFileReader, names: tuple[str, ...]) -> tuple[str, ...]:
    """Those of the signature fields `names` whose field or widgets carry actions (/AA, or an
    /A that does more than go to a place or a web page). pyHanko lets a signature field added
    after signing (an LTA update) carry them: JavaScript the signer never saw, run when the
    page opens or the field is touched, that can rewrite what is shown."""
    wanted = set(names)
    acting = []
    for name, _value, field_ref in enumerate_sig_fields(reader):  # signed or not
        if name in wanted and any(
                _get(node, "/AA") is not None or (
                    isinstance(_get(node, "/A"), generic.DictionaryObject)
                    and _acts(_get(node, "/A")))
                for node in _nodes(field_ref, "/Kids", [0], set())):
            acting.append(name)
    return tuple(sorted(acting))
