"""Form fields whose stored value differs from what their appearance draws (pdfatk13).

A form field keeps its value in /V and what is drawn for it in its widgets' appearance
streams (/AP, ISO 32000-2, 12.7.4 and 12.5.5). Readers disagree on which to show: poppler,
PDFium (Chrome) and Acrobat draw the appearance, while pdf.js (Firefox) shows a text field
as an input holding /V, and a check box or radio button as checked when /V names its state.
A signed form whose appearance says 100 EUR and whose value 9999 EUR shows one amount in
Firefox and the other elsewhere, and its signature is valid in both.

`differing` says whether a form holds such a field: a text field or combo box whose
appearance shows other text than its value (or text it cannot be told, below), or a check
box or radio button whose appearance state (/AS) is not the one its value names. The text an
appearance shows is read from its text-showing operators only when every font it uses draws
the codes as they are read (a standard 14 font, not embedded, in the standard or WinAnsi
encoding); an embedded font, /Differences or a composite font may draw any glyph for a code,
and invisible text (render mode other than 0), images and form XObjects may draw something
else, so an appearance using them cannot be told to agree and is reported with a value.
Shapes drawn as paths are not read. List boxes (which show every option) and password
fields (which show asterisks) are not compared.

A file to sign has its widgets drawn from their appearance and its form removed
(`signing.normalise`): the value is gone, every reader shows the appearance. An already
signed file is reported (`signing.verify.active_content`, `field_values`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pyhanko.pdf_utils import generic

from signing.pdf_objects import identity
from signing.pdf_objects import member as _get
from signing.pdf_objects import resolved as _resolved

MAX_NODES = 100_000
MAX_TOKENS = 100_000  # tokens read from one appearance stream
COMBO, PASSWORD, PUSH_BUTTON = 1 << 17, 1 << 13, 1 << 16  # field flags (ISO 32000-2, 12.7.5)
STANDARD_FONTS = frozenset({
    "/Helvetica", "/Helvetica-Bold", "/Helvetica-Oblique", "/Helvetica-BoldOblique",
    "/Times-Roman", "/Times-Bold", "/Times-Italic", "/Times-BoldItalic", "/Courier",
    "/Courier-Bold", "/Courier-Oblique", "/Courier-BoldOblique", "/Symbol", "/ZapfDingbats"})
PLAIN_ENCODINGS = frozenset({"/WinAnsiEncoding", "/StandardEncoding"})
_TOKEN = re.compile(rb"\s+|%[^\r\n]*|<<|>>|\[|\]|\{|\}|\(|<[0-9A-Fa-f\s]*>|/[^\s/\[\]<>(){}%]*"
                    rb"|[^\s/\[\]<>(){}%]+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b",
            ord("f"): b"\f", ord("("): b"(", ord(")"): b")", ord("\\"): b"\\"}


class _Untellable(Exception):
    """The appearance may draw something else than the text it shows."""


class _Operator(str):
    """A content stream operator (ISO 32000-2, 8.2), as opposed to an operand."""




def differing(root: generic.DictionaryObject) -> bool:
    """Whether a field of the form under `root` (the catalog) shows readers different values."""
    form = _get(root, "/AcroForm")
    fields = _get(form, "/Fields")
    resources = _get(form, "/DR")
    for widget, field in _widgets(fields if isinstance(fields, generic.ArrayObject) else ()):
        if _differs(widget, field, resources):
            return True
    return False


def _widgets(fields: Any) -> Iterator[tuple[generic.DictionaryObject, dict[str, Any]]]:
    """Each widget of the field tree (each node once, at most MAX_NODES) with the entries
    its field gives it, inherited (/FT, /V, /Ff, /Opt; ISO 32000-2, 12.7.4.1)."""
    stack: list[tuple[Any, dict[str, Any]]] = [(f, {}) for f in reversed(list(fields))]
    seen: set[Any] = set()
    while stack and len(seen) < MAX_NODES:
        written, inherited = stack.pop()
        node = _resolved(written)
        if not isinstance(node, generic.DictionaryObject) or identity(written) in seen:
            continue
        seen.add(identity(written))
        field = {**inherited, **{key: _get(node, key) for key in ("/FT", "/V", "/Ff", "/Opt")
                                 if key in node}}
        if _get(node, "/Subtype") == "/Widget":
            yield node, field
        kids = _get(node, "/Kids")
        if isinstance(kids, generic.ArrayObject):
            stack.extend((kid, field) for kid in reversed(kids))


def _differs(widget: generic.DictionaryObject, field: dict[str, Any], resources: Any) -> bool:
    kind, flags = field.get("/FT"), field.get("/Ff")
    flags = flags if isinstance(flags, int) and not isinstance(flags, bool) else 0
    value = field.get("/V")
    if kind == "/Btn":
        return not flags & PUSH_BUTTON and _state_differs(widget, value)
    if kind not in ("/Tx", "/Ch") or flags & PASSWORD or (kind == "/Ch" and not flags & COMBO):
        return False
    normal = _get(_get(widget, "/AP"), "/N")
    if not isinstance(normal, generic.StreamObject):
        return False  # drawn from the value by every reader that draws it
    shown = _values(value, field.get("/Opt"))
    try:
        drawn = _shown_text(normal, resources)
    except _Untellable:
        return bool(shown)
    return _squeezed(drawn) not in {_squeezed(text) for text in shown or [""]}


def _state_differs(widget: generic.DictionaryObject, value: Any) -> bool:
    """A check box's or radio button's appearance state (/AS) is not the one its value names:
    poppler draws /AS, pdf.js checks the box when /V names its on state."""
    states = _get(_get(widget, "/AP"), "/N")
    if not isinstance(states, generic.DictionaryObject) or \
            isinstance(states, generic.StreamObject):
        return False
    on = [name for name in states if name != "/Off"]
    if len(on) != 1:
        return False
    expected = on[0] if value == on[0] else "/Off"
    state = _get(widget, "/AS")
    return (state if isinstance(state, str) else "/Off") != expected


def _values(value: Any, options: Any) -> list[str]:
    """The texts a reader may show for `value`: itself, or a combo box option's display text
    when the value is its export value."""
    if isinstance(value, generic.ArrayObject):
        value = value[0] if len(value) == 1 else None
    value = _resolved(value)
    if not isinstance(value, str) or not value:
        return []
    shown = [str(value)]
    for option in options if isinstance(options, generic.ArrayObject) else ():
        option = _resolved(option)
        if isinstance(option, generic.ArrayObject) and len(option) == 2 and \
                _resolved(option[0]) == value and isinstance(_resolved(option[1]), str):
            shown.append(str(_resolved(option[1])))
    return shown


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _shown_text(appearance: generic.StreamObject, resources: Any) -> str:
    """The text `appearance` shows, read from its text-showing operators (`_Untellable` when
    its fonts or other operators may draw something else)."""
    own = _get(appearance, "/Resources")
    fonts = [_get(r, "/Font") for r in (own, resources)]
    operands: list[Any] = []
    shown: list[bytes] = []
    font_set = False
    for count, word in enumerate(_tokens(appearance.data)):
        if count > MAX_TOKENS:
            raise _Untellable
        if not isinstance(word, _Operator):
            operands.append(word)
            continue
        if word in ("BI", "Do", "sh", "d0", "d1"):
            raise _Untellable
        if word == "Tf" and len(operands) >= 2:
            _plain_font(operands[-2], fonts)
            font_set = True
        elif word in ("Tj", "'", '"', "TJ") and not font_set:
            raise _Untellable  # drawn with a font the appearance does not name here
        elif word == "Tr" and operands and operands[-1] not in ("0", 0):
            raise _Untellable
        elif word in ("Tj", "'", '"') and operands and isinstance(operands[-1], bytes):
            shown.append(operands[-1])
        elif word == "TJ" and operands and isinstance(operands[-1], list):
            shown.extend(part for part in operands[-1] if isinstance(part, bytes))
        operands = []
    return b"".join(shown).decode("cp1252", errors="replace")


def _plain_font(name: Any, fonts: list[Any]) -> None:
    """`_Untellable` unless the font `name` draws each code as the character it reads as."""
    font = next((_get(f, name) for f in fonts if isinstance(name, str)
                 and _get(f, name) is not None), None)
    if not isinstance(font, generic.DictionaryObject) or \
            _get(font, "/Subtype") not in ("/Type1", "/TrueType") or \
            _get(font, "/BaseFont") not in STANDARD_FONTS:
        raise _Untellable
    encoding = _get(font, "/Encoding")
    if encoding is not None and encoding not in PLAIN_ENCODINGS:
        raise _Untellable  # /Differences: a code may name any glyph
    descriptor = _get(font, "/FontDescriptor")
    if isinstance(descriptor, generic.DictionaryObject) and any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
        raise _Untellable  # an embedded font program may draw anything for a glyph


def _tokens(data: bytes) -> Iterator[Any]:
    """The content stream's operands and operators: a string as its bytes, an array as a
    list of its items, an operator as `_Operator`, any other operand as its text."""
    position = 0
    arrays: list[list[Any]] = [[]]
    while position < len(data):
        match = _TOKEN.match(data, position)
        if match is None:
            raise _Untellable
        token, position = match.group(), match.end()
        if token[:1].isspace() or token.startswith(b"%"):
            continue
        item: Any
        if token == b"(":
            item, position = _literal(data, position)
        elif token.startswith(b"<") and token != b"<<":
            digits = re.sub(rb"\s", b"", token[1:-1])
            item = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
        elif token == b"[":
            arrays.append([])
            continue
        elif token == b"]" and len(arrays) > 1:
            item = arrays.pop()
        else:
            text = token.decode("latin-1")
            item = text if text[:1] in "/<>{}" or _NUMBER.fullmatch(text) or \
                text in ("true", "false", "null") else _Operator(text)
        if len(arrays) > 1:
            arrays[-1].append(item)
        else:
            yield item


def _literal(data: bytes, position: int) -> tuple[bytes, int]:
    """A literal string's bytes (ISO 32000-2, 7.3.4.2) from after its "(", and where it ends."""
    out, depth = bytearray(), 1
    while position < len(data):
        byte = data[position]
        position += 1
        if byte == 0x5C:  # backslash
            if position >= len(data):
                break
            following = data[position]
            position += 1
            if following in _ESCAPES:
                out += _ESCAPES[following]
            elif 0x30 <= following <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", data[position - 1:position + 2])
                assert digits is not None
                out.append(int(digits.group(), 8) & 0xFF)
                position += len(digits.group()) - 1
            elif following == 0x0D and data[position:position + 1] == b"\n":
                position += 1
            continue
        if byte == 0x28:
            depth += 1
        elif byte == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), position
        out.append(byte)
    raise _Untellable
