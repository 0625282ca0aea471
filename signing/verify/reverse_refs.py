"""Where each object of a signed revision is used: pyHanko's reverse cross-reference map,
built without copying the document once per signature.

pyHanko's difference analysis asks, for the revision a signature covers, by which paths from
the trailer each object is reached (`HistoricalResolver._load_reverse_xref_cache`, used to
explain the objects a later revision rewrites). It walks the whole object graph of that
revision through the resolver, which makes a private copy ("subsumes") every object it
visits, then turns every path into a tuple. A document signed n times pays that n - 1 times:
a 1000-page document with six signatures spent 19 of its 23 s there, past the verifier's
time budget (TIME_BUDGET_EXCEEDED for a valid document).

`load_reverse_xref_cache` is the same walk over the same objects, with the same paths as
result: an object not changed since the revision is read from the reader's shared cache (it
is the same object; only the references it holds are compared, and `Reference` equality
ignores which handler it belongs to), an object changed later through the resolver as
before; the paths of an object are turned into tuples when asked for. The walk checks the
verification's budget (`pdf_parsing.checkpoint`) every `NODES_PER_CHECK` nodes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import HistoricalResolver, RawPdfPath

from signing.pdf_parsing import checkpoint

NODES_PER_CHECK = 4096

_Cons = misc.ConsList
_CONTAINERS = (generic.IndirectObject, generic.DictionaryObject, generic.ArrayObject)


class _LazyPaths(dict):  # type: ignore[type-arg]
    """ref -> set of paths, each set turned from cons lists into `RawPdfPath`s when read."""

    def __init__(self, collected: dict[generic.Reference, set[Any]]) -> None:
        super().__init__(collected)
        self._done: set[generic.Reference] = set()

    def __getitem__(self, ref: generic.Reference) -> set[RawPdfPath]:
        paths = super().__getitem__(ref)
        if ref not in self._done:
            paths = {RawPdfPath(*reversed(list(p))) for p in paths}
            self[ref] = paths
            self._done.add(ref)
        return paths  # type: ignore[no-any-return]


def _fetch(resolver: HistoricalResolver) -> Any:
    reader = resolver.reader
    revision = resolver.revision
    xrefs = reader.xrefs

    def fetch(ref: generic.Reference) -> Any:
        try:
            last_change = xrefs.get_last_change(ref)
        except KeyError:
            last_change = None
        if last_change is not None and last_change <= revision:
            obj = reader.get_object(ref, transparent_decrypt=False)
            if not isinstance(obj, generic.DecryptedObjectProxy):
                return obj
        return resolver(ref)

    return fetch


def _page_tree(resolver: HistoricalResolver, fetch: Any) -> dict[generic.Reference, Any]:
    """pyHanko's canonical paths of the page tree's nodes."""

    def collect(pages_obj: Any, path: Any) -> Any:
        for ix, kid in enumerate(pages_obj['/Kids']):
            kid_path = path.cons('/Kids').cons(ix)
            if isinstance(kid, generic.IndirectObject):
                yield kid.reference, kid_path
            kid = fetch(kid.reference) if isinstance(kid, generic.IndirectObject) else kid
            if kid.get('/Type', None) == '/Pages':
                yield from collect(kid, kid_path)

    pages_ref = resolver.root.raw_get('/Pages')
    pages_path = _Cons.sing('/Root').cons('/Pages')
    nodes: dict[generic.Reference, Any] = {}
    if isinstance(pages_ref, generic.IndirectObject):
        nodes[pages_ref.reference] = pages_path
    pages = fetch(pages_ref.reference) if isinstance(pages_ref, generic.IndirectObject) \
        else pages_ref
    for ref, path in collect(pages, pages_path):
        if ref in nodes:
            raise misc.PdfReadError("Circular reference in page tree in mapping stage")
        nodes[ref] = path
    return nodes


def _struct_tree(resolver: HistoricalResolver) -> set[generic.Reference]:
    """pyHanko's structure elements (reached from /StructTreeRoot through /K)."""

    def collect(struct_elem: Any) -> Any:
        try:
            children = struct_elem['/K']
        except KeyError:
            return
        if not isinstance(children, generic.ArrayObject):
            children = (children,)
        for child in children:
            child_ref = None
            if isinstance(child, generic.IndirectObject):
                child_ref = child.reference
                child = child.get_object()
            if not isinstance(child, generic.DictionaryObject):
                continue
            try:
                if child['/Type'] != '/StructElem':
                    continue
            except KeyError:
                pass
            if child_ref is not None:
                yield child_ref
            yield from collect(child)

    nodes: set[generic.Reference] = set()
    try:
        root = resolver.root.raw_get('/StructTreeRoot').get_object()
        for ref in collect(root):
            if ref in nodes:
                raise misc.PdfReadError("Circular reference in structure tree in mapping stage")
            nodes.add(ref)
    except KeyError:
        pass
    return nodes


def load_reverse_xref_cache(self: HistoricalResolver) -> None:
    """`HistoricalResolver._load_reverse_xref_cache`, without subsuming (see the module)."""
    if self._indirect_object_access_cache is not None:
        return
    collected: dict[generic.Reference, set[Any]] = defaultdict(set)
    fetch = _fetch(self)
    page_tree_objs = _page_tree(self, fetch)
    struct_tree_objs = _struct_tree(self)
    struct_k_tail = _Cons.sing('/Root')
    visited = [0]

    def walk(obj: Any, cur_path: Any, seen_in_path: Any, is_struct_tree: bool) -> None:
        visited[0] += 1
        if not visited[0] % NODES_PER_CHECK:
            checkpoint()
        if isinstance(obj, generic.IndirectObject):
            obj_ref = obj.reference
            if obj_ref in seen_in_path:
                return
            collected[obj_ref].add(cur_path)
            seen_in_path = seen_in_path.cons(obj_ref)
            obj = fetch(obj_ref)
            # the page tree entered only by its canonical path; structure elements only
            # from the structure tree (pyHanko's rules)
            if cur_path != page_tree_objs.get(obj_ref, cur_path):
                return
            if not is_struct_tree and obj_ref in struct_tree_objs:
                return
        # (numbers, names, strings hold no reference: not entered, the paths are the same)
        if isinstance(obj, generic.DictionaryObject):
            for k, v in obj.items():
                if k == '/Parent' or (is_struct_tree and k == '/P') \
                        or not isinstance(v, _CONTAINERS):
                    continue
                walk(v, cur_path.cons(k), seen_in_path,
                     is_struct_tree or (cur_path.head == '/StructTreeRoot' and k == '/K'
                                        and cur_path.tail == struct_k_tail))
        elif isinstance(obj, generic.ArrayObject):
            for ix, v in enumerate(obj):
                if isinstance(v, _CONTAINERS):
                    walk(v, cur_path.cons(ix), seen_in_path, is_struct_tree)

    walk(self.trailer_view, _Cons.empty(), _Cons.empty(), False)
    self._indirect_object_access_cache = _LazyPaths(collected)


PYHANKO_LOAD = HistoricalResolver._load_reverse_xref_cache


def install() -> None:
    """Make pyHanko's historical resolvers use `load_reverse_xref_cache`. Idempotent."""
    HistoricalResolver._load_reverse_xref_cache = load_reverse_xref_cache  # type: ignore[method-assign]
