"""Replacement text: what a screen reader reads and copy-paste gives instead of what is drawn.

ISO 32000-2, 14.9.3 and 14.9.4: `/ActualText` replaces the text a piece of content draws (for
copying, searching and reading aloud) and `/Alt` describes it in words; both may sit on a
structure element (`/StructTreeRoot`) or on a marked-content sequence of a page's content
(`/Span <</ActualText (100 EUR)>> BDC ... EMC`, or a property list named in the page's
/Properties). Nothing ties them to what is drawn: a page that draws "Importe: 9999 EUR" under
`/ActualText (Importe: 100 EUR)` is "100 EUR" for `pdftotext`, for a screen reader and for
copy and paste, so a blind citizen hears one amount where the page says another.

`carries` says whether a file holds such text; `strip` removes it from a file normalised for
a citizen's signature (`signing.normalise`), so that what is read aloud or copied is what the
page draws. On verification a signed file that holds it is reported (`replacement_text` in
`signing.verify.active_content`, verdict unchanged). An /Alt on an illustration or a widget (a
structure element /Figure, /Formula or /Form: an image, a formula, a form field or signature
widget, ISO 32000-2, 14.8.4) is the description accessibility asks for, and is neither
reported nor removed: Cédula's own tagged documents describe their QR code (/Figure) and
their seal's widget (/Form) that way. Such an /Alt could still describe an illustration that
draws text (telling that apart needs the content streams interpreted, not done here). Names
written with `#` escapes (`/Actual#54ext`) are found too (`signing.name_spellings`). The
content of the form XObjects a page draws (and of theirs) is read and cleaned like the page's.
Each structure element and each form is visited once, at most `MAX_NODES`.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.misc import PdfDecodeLimitError, PdfError

from signing.name_spellings import spelled
from signing.pdf_objects import identity
from signing.pdf_objects import member as _get
from signing.pdf_objects import resolved as _resolved

MAX_NODES = 100_000
ILLUSTRATIONS = frozenset({"/Figure", "/Formula", "/Form"})
# the names as operands of BDC in a content stream (a name ends at a delimiter or space)
_IN_CONTENT = re.compile(rb"/(?:" + spelled(b"ActualText") + rb"|" + spelled(b"Alt")
                         + rb")(?![^\s/\[\]<>(){}%])")  # `/Actual#54ext` too (pdfatk11)
_BDC = re.compile(rb"\s*BDC(?![^\s/\[\]<>(){}%])")
_NOWHERE = generic.Reference(0, 0, None)  # an inline dictionary belongs to no object




def carries(root: generic.DictionaryObject | None,
            pages: Iterable[generic.DictionaryObject], *, skip_unreadable: bool = False) -> bool:
    """Whether the structure tree under `root` or the content of `pages` gives replacement
    text to what is drawn (an /Alt on an illustration excepted). `skip_unreadable` (the
    verifier's report): a page whose content cannot be decoded (a damaged Flate stream, which
    viewers still draw in part) is passed over and the pages after it are read; raised, it
    stopped the whole check and hid them (review17). Without it (a file to sign) it is raised,
    and the file refused."""
    seen: set[Any] = set()
    if _structure(_get(root, "/StructTreeRoot")):
        return True
    for page in pages:
        try:
            if _marked(page, seen):
                return True
        except PdfDecodeLimitError:  # too costly to read: the caller's budget decides
            raise
        except (PdfError, ValueError, zlib.error):
            if not skip_unreadable:
                raise
    return False


def _elements(tree: Any) -> Iterator[generic.DictionaryObject]:
    """The structure elements (and marked-content references) under `tree`, a
    /StructTreeRoot, each once and at most `MAX_NODES` objects visited."""
    stack = [tree.raw_get("/K")] if isinstance(tree, generic.DictionaryObject) \
        and "/K" in tree else []
    seen: set[Any] = set()
    while stack and len(seen) < MAX_NODES:
        written = stack.pop()
        seen_as = identity(written)
        if seen_as in seen:
            continue
        seen.add(seen_as)
        node = _resolved(written)
        if isinstance(node, generic.ArrayObject):
            stack.extend(node)
        elif isinstance(node, generic.DictionaryObject):
            yield node
            if "/K" in node:
                stack.append(node.raw_get("/K"))


def _structure(tree: Any) -> bool:
    return any(_replaces(node, structure=True) for node in _elements(tree))


def _marked(page: generic.DictionaryObject, seen: set[Any]) -> bool:
    resources = _inherited(page, "/Resources")
    if _listed(resources):
        return True
    contents = _get(page, "/Contents")
    streams = contents if isinstance(contents, generic.ArrayObject) else [contents]
    for stream in streams:
        stream = _resolved(stream)
        if isinstance(stream, generic.StreamObject) and _IN_CONTENT.search(stream.data):
            return True
    return any(_IN_CONTENT.search(form.data) or _listed(_get(form, "/Resources"))
               for _holder, _name, _written, form in _forms(resources, seen))


def _listed(resources: Any) -> bool:
    """Whether the named property lists of `resources` (/Properties) carry replacement text."""
    properties = _get(resources, "/Properties")
    if not isinstance(properties, generic.DictionaryObject):
        return False
    for name in list(properties.keys())[:MAX_NODES]:
        listed = _get(properties, name)
        if isinstance(listed, generic.DictionaryObject) and (
                "/ActualText" in listed or "/Alt" in listed):
            return True
    return False


def _forms(resources: Any, seen: set[Any]) -> Iterator[tuple[generic.DictionaryObject, str,
                                                             Any, generic.StreamObject]]:
    """The form XObjects drawn through `resources` and through theirs, each once over all the
    calls sharing `seen` (at most `MAX_NODES`): (the /XObject dictionary naming it, the name,
    the reference or stream as written, the form)."""
    stack = [resources]
    while stack and len(seen) < MAX_NODES:
        xobjects = _get(stack.pop(), "/XObject")
        if not isinstance(xobjects, generic.DictionaryObject):
            continue
        for name in list(xobjects.keys()):
            written = xobjects.raw_get(name)
            seen_as = ("/XObject", identity(written))
            if seen_as in seen:
                continue
            seen.add(seen_as)
            form = _resolved(written)
            if isinstance(form, generic.StreamObject) and _get(form, "/Subtype") == "/Form":
                yield xobjects, name, written, form
                stack.append(_get(form, "/Resources"))


def _inherited(page: generic.DictionaryObject, key: str) -> Any:
    current: Any = page
    for _ in range(64):
        if not isinstance(current, generic.DictionaryObject):
            return None
        if key in current:
            return _get(current, key)
        current = _get(current, "/Parent")
    return None


def _replaces(node: generic.DictionaryObject, *, structure: bool) -> bool:
    return "/ActualText" in node or ("/Alt" in node and not (
        structure and _get(node, "/S") in ILLUSTRATIONS))


def strip(root: generic.DictionaryObject, pages: Iterable[generic.DictionaryObject],
          add: Any) -> None:
    """Remove the replacement text `carries` finds: from the structure elements, the pages'
    named property lists and the marked-content property lists written in their content
    (each content stream rewritten as a new object by `add`, a writer's `add_object`)."""
    for node in _elements(_get(root, "/StructTreeRoot")):
        if _replaces(node, structure=True):
            node.pop("/ActualText", None)
            if _get(node, "/S") not in ILLUSTRATIONS:
                node.pop("/Alt", None)
    forms_seen: set[Any] = set()
    replaced: dict[int, Any] = {}
    for page in pages:
        resources = _inherited(page, "/Resources")
        _unlist(resources)
        contents = _get(page, "/Contents")
        streams = list(contents) if isinstance(contents, generic.ArrayObject) else [contents]
        rewritten = []
        for stream in streams:
            data = _resolved(stream).data if isinstance(_resolved(stream), generic.StreamObject) \
                else None
            cleaned = _stripped(data) if data is not None and _IN_CONTENT.search(data) else None
            rewritten.append(stream if cleaned is None else
                             add(generic.StreamObject(stream_data=cleaned)))
        if any(new is not old for new, old in zip(rewritten, streams, strict=True)):
            page[N("/Contents")] = generic.ArrayObject(rewritten)
        for _holder, _name, _written, form in list(_forms(resources, forms_seen)):
            _unlist(_get(form, "/Resources"))
            if _IN_CONTENT.search(form.data):
                kept = {key: form.raw_get(key) for key in form.keys()
                        if key not in ("/Filter", "/DecodeParms", "/Length")}
                replaced[id(form)] = add(generic.StreamObject(
                    generic.DictionaryObject(kept), stream_data=_stripped(form.data)))
        _repoint(resources, replaced, set())


def _unlist(resources: Any) -> None:
    properties = _get(resources, "/Properties")
    for name in list(properties.keys())[:MAX_NODES] \
            if isinstance(properties, generic.DictionaryObject) else ():
        listed = _get(properties, name)
        if isinstance(listed, generic.DictionaryObject):
            listed.pop("/ActualText", None)
            listed.pop("/Alt", None)


def _repoint(resources: Any, replaced: dict[int, Any], seen: set[Any]) -> None:
    """Every /XObject entry under `resources` that names a rewritten form names its new
    stream (a form drawn from two places is rewritten once)."""
    for holder, name, _written, form in list(_forms(resources, seen)):
        if id(form) in replaced:
            holder[N(name)] = replaced[id(form)]


def _stripped(data: bytes) -> bytes:
    """`data` (a content stream) with /ActualText and /Alt removed from the property lists
    written before BDC operators; anything that does not read as one is left as it is."""
    out, last, position = bytearray(), 0, data.find(b"<<")
    while position >= 0:
        reading = io.BytesIO(data)
        reading.seek(position)
        try:
            listed = generic.read_object(reading, _NOWHERE)
        except (PdfError, ValueError, IndexError, KeyError, TypeError):
            position = data.find(b"<<", position + 2)
            continue
        end = reading.tell()
        if isinstance(listed, generic.DictionaryObject) and _BDC.match(data, end) \
                and ("/ActualText" in listed or "/Alt" in listed):
            listed.pop("/ActualText", None)
            listed.pop("/Alt", None)
            written = io.BytesIO()
            listed.write_to_stream(written, None)
            out += data[last:position] + written.getvalue()
            last = end
        position = data.find(b"<<", max(end, position + 2))
    return bytes(out + data[last:])
