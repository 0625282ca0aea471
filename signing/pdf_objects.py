"""Reading a parsed PDF's objects without trusting their types: the one home of the two
look-ups that walking an uploaded document needs (`signing.normalise`, `signing.print_states`),
and the identity a walk keeps to visit each object once."""

from __future__ import annotations

from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfDecodeLimitError, PdfReadError


def entry(node: generic.DictionaryObject, key: str, default: Any = None) -> Any:
    """`node[key]` dereferenced, or `default` (dict.get would not follow references). Any PDF
    object: callers check its type where it matters."""
    try:
        return node[key]
    except KeyError:
        return default


def dictionary(value: object) -> generic.DictionaryObject | None:
    """`value` (dereferenced) when it is a dictionary, else None."""
    if isinstance(value, generic.IndirectObject):
        value = value.get_object()
    return value if isinstance(value, generic.DictionaryObject) else None


def identity(written: Any) -> Any:
    """What a walk remembers to visit an object once: (object number, generation) for a
    reference, the Python object's id for a direct object (written inline, so met only there)."""
    return (written.idnum, written.generation) \
        if isinstance(written, generic.IndirectObject) else id(written)


def resolved(node: Any) -> Any:
    """The object `node` refers to (or `node`); None for a reference to no object, which the
    verifier's strict reader refuses to resolve and every viewer reads as null (ISO 32000-2,
    7.3.10): raised, it stopped whole walks and hid what came after it (review17). An object
    too costly to decode (`PdfDecodeLimitError`, a `PdfReadError`) is no null: passed on, the
    caller's budget decides (pdfatk13)."""
    try:
        return node.get_object() if isinstance(node, generic.IndirectObject) else node
    except PdfDecodeLimitError:
        raise
    except PdfReadError:
        return None


def member(node: Any, key: str) -> Any:
    """`node[key]` resolved (`resolved`) when `node` is a dictionary holding `key`, else None."""
    return resolved(node.raw_get(key)) if isinstance(node, generic.DictionaryObject) \
        and key in node else None
