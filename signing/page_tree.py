"""Whether a PDF's page tree says the same pages to every reader (pdfatk10).

A page tree node (ISO 32000-2, 7.7.3.2) lists its /Kids and says in /Count how many pages are
below it; each kid names its node in /Parent. Readers disagree on which to trust:

- poppler and PDFium (Chrome's viewer) walk every /Kids array and ignore /Count;
- pdf.js (Firefox's viewer) takes the top node's /Count for the number of pages and skips a
  subtree whose /Count says the wanted page is not in it (`Catalog.getPageDict`), so a
  subtree whose /Count says 1 while it holds 2 pages hides its second page, and the pages
  after it are shifted; a negative or non-integer /Count is walked instead;
- pdf.js refuses a tree that reaches a node twice ("Pages tree contains circular
  reference"), where poppler reads it its own way (skipping loops);
- a /Kids entry that is no dictionary (null, a number, a reference to a string or to no
  object) is skipped by poppler, while pdf.js stops with an error on the page it hoped to
  find there ("Page dictionary kid ... is not a dictionary" / "points to wrong type of
  object"): what is shown past it differs (pdfatk11).

`survey` walks the tree once (each node once, at most `MAX_NODES`) and says which of these
the file holds: a node reached twice (`repeated`: a page listed twice, a loop through /Kids)
or a /Count or /Parent that disagrees with the pages the node holds, or a kid that is no
dictionary (`inconsistent`). A file to sign is refused in the first case and has its counts
and parents rewritten, and such kids dropped, in the second (`rebuild`, `signing.normalise`):
every reader then shows the pages poppler shows. An already-signed file with either is
reported (`signing.verify.active_content`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N

from signing.pdf_objects import identity
from signing.pdf_objects import resolved as _resolved

MAX_NODES = 100_000


@dataclass(frozen=True)
class _Node:
    written: Any
    """How the node is referred to (a reference, or the dictionary itself when direct)."""
    node: generic.DictionaryObject
    parent: Any
    """The node that lists it (`written` of that node), None for the top node."""
    page: bool


@dataclass(frozen=True)
class Survey:
    repeated: bool
    inconsistent: bool
    nodes: tuple[_Node, ...]
    counts: dict[Any, int]

    @property
    def pages(self) -> int:
        """The pages the tree holds (each once), as poppler and PDFium count them: never
        a /Count, which may lie (pdfatk11)."""
        return sum(entry.page for entry in self.nodes)



def _is_page(node: generic.DictionaryObject) -> bool:
    """As poppler and pdf.js read it: typed /Page, or without a /Kids array."""
    kids = node.get("/Kids") if "/Kids" in node else None
    return node.get("/Type") == "/Page" or not isinstance(_resolved(kids), generic.ArrayObject)


def survey(root: generic.DictionaryObject) -> Survey:
    """The page tree under `root` (the catalog), each node visited once."""
    top = root.raw_get("/Pages") if "/Pages" in root else None
    nodes: list[_Node] = []
    seen: set[Any] = set()
    repeated = strays = False
    stack: list[tuple[Any, Any]] = [(top, None)]
    while stack and len(nodes) < MAX_NODES:
        written, parent = stack.pop()
        node = _resolved(written)
        if not isinstance(node, generic.DictionaryObject):
            strays = strays or parent is not None  # a kid no reader shows as a page
            continue
        seen_as = identity(written)
        if seen_as in seen:
            repeated = True
            continue
        seen.add(seen_as)
        page = _is_page(node)
        nodes.append(_Node(written, node, parent, page))
        if not page:
            kids = _resolved(node.raw_get("/Kids"))
            stack.extend((kid, written) for kid in reversed(kids))
    counts: dict[Any, int] = {}
    for entry in reversed(nodes):  # every kid before its node
        counts[identity(entry.written)] = counts.get(identity(entry.written), 0) + entry.page
        if entry.parent is not None:
            key = identity(entry.parent)
            counts[key] = counts.get(key, 0) + counts[identity(entry.written)]
    inconsistent = strays or any(not _agrees(entry, counts) for entry in nodes)
    return Survey(repeated=repeated, inconsistent=inconsistent, nodes=tuple(nodes),
                  counts=counts)


def _agrees(entry: _Node, counts: dict[Any, int]) -> bool:
    """Whether the node's /Parent names the node that lists it and, for a tree node, its
    /Count is the number of pages below it."""
    written_parent = entry.node.raw_get("/Parent") if "/Parent" in entry.node else None
    if entry.parent is None:
        parent_agrees = written_parent is None
    elif isinstance(entry.parent, generic.IndirectObject):
        parent_agrees = isinstance(written_parent, generic.IndirectObject) and \
            identity(written_parent) == identity(entry.parent)
    else:  # a direct node cannot be referred to; its kids' /Parent is not checked
        parent_agrees = True
    if entry.page:
        return parent_agrees
    count = _resolved(entry.node.raw_get("/Count")) if "/Count" in entry.node else None
    return parent_agrees and isinstance(count, int) and not isinstance(count, bool) \
        and count == counts[identity(entry.written)]


def rebuild(found: Survey) -> None:
    """Rewrite every node's /Parent and every tree node's /Count from the pages it holds,
    and drop from /Kids the entries that are no dictionary (null, a number, a reference to
    another object or to none), which poppler skips and pdf.js stops at (`found` of a tree
    without repeated nodes, read from the writer that is rewritten)."""
    for entry in found.nodes:
        if entry.parent is None:
            entry.node.pop("/Parent", None)
        elif isinstance(entry.parent, generic.IndirectObject):
            entry.node[N("/Parent")] = entry.parent
        if not entry.page:
            kids = _resolved(entry.node.raw_get("/Kids"))
            entry.node[N("/Kids")] = generic.ArrayObject(
                kid for kid in kids if isinstance(_resolved(kid), generic.DictionaryObject))
            entry.node[N("/Count")] = generic.NumberObject(found.counts[identity(entry.written)])
