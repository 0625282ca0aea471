"""Layers the default view hides, holding what a page draws (ISO 32000-2, 8.11; pdfatk16).

Content marked as belonging to an optional content group (a layer: `/OC /name BDC ... EMC` in a
page's or form's content, a form XObject or an annotation with `/OC`) is shown only while the
layer is on. The document's default configuration (`/OCProperties /D`) says which layers are on
when it is opened: those in `/OFF`, or all but those in `/ON` under `/BaseState /OFF`. A layer
off there is not in the preview, nor on the verification page (poppler renders the default
view), yet any reader switches it on from its layers panel, or an alternate configuration
(`/Configs`) does, and "Importe: 9999 EUR" appears over "100 EUR". An optional content
membership dictionary (`/OCMD`) is off by its policy (`/P`, default AnyOn) over its groups;
a visibility expression (`/VE`) is read as hidden (readers evaluate it differently), and
named by the layers it depends on that are hidden by default (by all of them if none is: it
has no /Name of its own).

`drawn(root)` names the hidden layers something on a page draws with: `signing.normalise`
refuses such a file (there is no exact way to remove only that content without editing the
content streams), `signing.verify.active_content` reports it (`hidden_layer`), naming each
layer and the pages it draws on (`on_pages`) so that the reader knows what to switch on. A layer on by
default, or a hidden one nothing draws with, is not named. Walks are bounded (`MAX_NODES`).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfDecodeLimitError, PdfError

from signing.name_spellings import spelled
from signing.pdf_objects import dictionary as _dict
from signing.pdf_objects import identity
from signing.pdf_objects import member as _get
from signing.pdf_objects import resolved as _resolved

MAX_NODES = 100_000  # pages, forms and annotations visited at most
MAX_EXPRESSION = 1_000  # arrays of a visibility expression read at most
# `/OC /name BDC`, the tag `OC` in any spelling (`/O#43`, `signing.name_spellings`)
_MARKED = re.compile(rb"/" + spelled(b"OC") + rb"\s*/([^\s/\[\]()<>{}%]+)\s*BDC")


def off_by_default(root: generic.DictionaryObject) -> dict[Any, str]:
    """{identity of an optional content group hidden in the default configuration: its /Name}."""
    properties = _dict(_get(root, "/OCProperties"))
    if properties is None:
        return {}
    config = _dict(_get(properties, "/D")) or generic.DictionaryObject()
    listed = _written_items(properties, "/OCGs")
    on = {identity(g) for g in _written_items(config, "/ON")}
    off = {identity(g) for g in _written_items(config, "/OFF")}
    if _get(config, "/BaseState") == "/OFF":
        off |= {identity(g) for g in listed if identity(g) not in on}
    return {identity(g): _name(g) for g in listed if identity(g) in off}


def switched(before: generic.DictionaryObject, after: generic.DictionaryObject
             ) -> tuple[tuple[str, bool], ...]:
    """The layers whose visibility when the document opens differs between two revisions
    (their catalogs `before` and `after`): (name, shown now), sorted. A layer is the same
    object in both (groups are indirect objects, ISO 32000-2, 8.11.4.2); one no longer
    listed in /OCGs, or with /OCProperties gone, is no longer hidden."""
    then, now = off_by_default(before), off_by_default(after)
    names = {identity(g): _name(g) for root in (before, after)
             for g in _written_items(_get(root, "/OCProperties"), "/OCGs")
             if isinstance(g, generic.IndirectObject)}
    return tuple(sorted((names[key], key in then) for key in names
                        if (key in then) != (key in now)))


def drawn(root: generic.DictionaryObject) -> tuple[str, ...]:
    """The names of the layers hidden by default (`off_by_default`) that a page's content, a
    form XObject it uses or one of its annotations draws with, sorted, each once."""
    return tuple(name for name, _pages in on_pages(root))


def on_pages(root: generic.DictionaryObject) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """The layers of `drawn`, each with the numbers of the pages it draws on (from 1, in the
    page tree's order): what the verification names for the reader to look for."""
    hidden = off_by_default(root)
    if not hidden:
        return ()
    pages: dict[str, list[int]] = {}
    budget = [0]
    seen: dict[Any, set[str]] = {}
    for number, page in enumerate(_pages(_get(root, "/Pages"), budget), start=1):
        found: set[str] = set()
        _content(page, _page_resources(page), hidden, found, budget, seen)
        annotations = _get(page, "/Annots")
        for written in annotations if isinstance(annotations, generic.ArrayObject) else ():
            annotation = _dict(written)
            budget[0] += 1
            if annotation is None or budget[0] > MAX_NODES:
                continue
            _membership(annotation.raw_get("/OC") if "/OC" in annotation else None,
                        hidden, found)
            normal = _get(_get(annotation, "/AP"), "/N")
            for stream in _appearances(normal):
                _form(stream, hidden, found, budget, seen, None)
        for name in found:
            pages.setdefault(name, []).append(number)
    return tuple((name, tuple(pages[name])) for name in sorted(pages))


def _content(node: generic.DictionaryObject, resources: Any, hidden: dict[Any, str],
             found: set[str], budget: list[int], seen: dict[Any, set[str]]) -> None:
    """What `node` (a page or a form) draws: its marked content naming a hidden layer in its
    resources' /Properties, and the forms it uses."""
    resources = _dict(resources)
    properties = _dict(_get(resources, "/Properties"))
    if properties is not None:
        data = b"".join(_stream_data(node))
        for name in {m.group(1) for m in _MARKED.finditer(data)}:
            key = "/" + _unescaped(name)
            if key in properties:
                _membership(properties.raw_get(key), hidden, found)
    xobjects = _dict(_get(resources, "/XObject"))
    if xobjects is not None:
        for key in xobjects:
            _form(xobjects.raw_get(key), hidden, found, budget, seen, resources)


def _form(written: Any, hidden: dict[Any, str], found: set[str], budget: list[int],
          seen: dict[Any, set[str]], outer: Any) -> None:
    """An XObject: its own /OC, and what a form draws (with its resources, or those of what
    uses it when it has none, as readers do: ISO 32000-1, 7.8.3). A form is read once: drawn
    again (on another page), the layers it drew with the first time (`seen`) are added."""
    form = _resolved(written)
    if not isinstance(form, generic.StreamObject):
        return
    own = _get(form, "/Resources")
    key = identity(written) if own is not None else (identity(written), id(outer))
    if key in seen:  # a form without resources is read once per resources it is drawn with
        found.update(seen[key])
        return
    mine = seen[key] = set()
    budget[0] += 1
    if budget[0] > MAX_NODES:
        return
    _membership(form.raw_get("/OC") if "/OC" in form else None, hidden, mine)
    if _get(form, "/Subtype") == "/Form":
        _content(form, own if own is not None else outer, hidden, mine, budget, seen)
    found.update(mine)


def _membership(written: Any, hidden: dict[Any, str], found: set[str]) -> None:
    """Adds to `found` the hidden layers that make `written` (a group or a membership
    dictionary) hidden by default."""
    if written is None:
        return
    if identity(written) in hidden:
        found.add(hidden[identity(written)])
        return
    node = _dict(written)
    if node is None or _get(node, "/Type") != "/OCMD":
        return
    if "/VE" in node:  # readers evaluate expressions differently: not what every view shows
        layers = _expression_layers(node.raw_get("/VE"))
        hidden_ones = [g for g in layers if identity(g) in hidden]
        found.update(_name(g) for g in hidden_ones or layers or [node])
        return
    groups = node.raw_get("/OCGs") if "/OCGs" in node else None
    members = _written_items(node, "/OCGs") \
        if isinstance(_resolved(groups), generic.ArrayObject) \
        else ([groups] if groups is not None else [])
    off = [g for g in members if identity(g) in hidden]
    shown = {"/AllOn": not off, "/AnyOff": bool(off),
             "/AllOff": len(off) == len(members)}.get(_get(node, "/P"),
                                                      not members or len(off) < len(members))
    if not shown:  # named by its hidden groups, or (hidden while they are on) by all of them
        found.update(_name(g) for g in off or members)


def _expression_layers(expression: Any) -> list[Any]:
    """The groups a visibility expression (`/VE`, ISO 32000-2, 8.11.2.2: `[/And|/Or|/Not
    operand ...]`, an operand a group or an expression) depends on, as written, each once,
    in the order written; at most `MAX_EXPRESSION` arrays read (an expression may nest or
    reach itself)."""
    layers: list[Any] = []
    seen: set[Any] = set()
    stack, arrays = [expression], 0
    while stack and arrays < MAX_EXPRESSION:
        written = stack.pop()
        current = _resolved(written)
        if isinstance(current, generic.ArrayObject):
            if identity(written) in seen:
                continue
            seen.add(identity(written))
            arrays += 1
            stack.extend(reversed(list(current)))
        elif isinstance(current, generic.DictionaryObject) and \
                _get(current, "/Type") == "/OCG" and identity(written) not in seen:
            seen.add(identity(written))
            layers.append(written)
    return layers


def _pages(tree: Any, budget: list[int]) -> Iterable[generic.DictionaryObject]:
    stack, seen = [tree], set()
    while stack:
        written = stack.pop()
        node = _dict(written)
        if node is None or identity(written) in seen:
            continue
        seen.add(identity(written))
        budget[0] += 1
        if budget[0] > MAX_NODES:
            return
        kids = _get(node, "/Kids")
        if isinstance(kids, generic.ArrayObject):
            stack.extend(reversed(list(kids)))
        if _get(node, "/Type") == "/Page" or not isinstance(kids, generic.ArrayObject):
            yield node


def _page_resources(page: generic.DictionaryObject) -> Any:
    node: Any = page
    for _ in range(64):  # inherited from the page tree (ISO 32000-2, 7.7.3.4)
        if node is None:
            return None
        if "/Resources" in node:
            return _get(node, "/Resources")
        node = _dict(_get(node, "/Parent"))
    return None


def _stream_data(node: generic.DictionaryObject) -> Iterable[bytes]:
    """The decoded content of a form, or of a page's content streams; a stream that cannot be
    decoded is skipped (a reader draws nothing from it), not the walk stopped: a damaged
    stream on one page hid what later pages draw (an object too costly to decode is passed on:
    the caller's budget decides)."""
    contents = _get(node, "/Contents") if not isinstance(node, generic.StreamObject) else node
    for stream in contents if isinstance(contents, generic.ArrayObject) else [contents]:
        stream = _resolved(stream)
        if not isinstance(stream, generic.StreamObject):
            continue
        try:
            yield stream.data + b"\n"
        except PdfDecodeLimitError:
            raise
        except (PdfError, ValueError, zlib.error):
            continue


def _appearances(normal: Any) -> Iterable[Any]:
    if isinstance(normal, generic.StreamObject):
        yield normal
    elif isinstance(normal, generic.DictionaryObject):
        yield from (normal.raw_get(key) for key in normal)


def _written_items(node: Any, key: str) -> list[Any]:
    value = _get(node, key)
    return list(value) if isinstance(value, generic.ArrayObject) else []


def _name(written: Any) -> str:
    name = _get(_resolved(written), "/Name")
    return str(name) if isinstance(name, str) else "?"


def _unescaped(name: bytes) -> str:
    """A name token's characters, its #xx escapes decoded (ISO 32000-2, 7.3.5)."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  name).decode("latin-1")
