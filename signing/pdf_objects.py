"""Reading a parsed PDF's objects without trusting their types: the one home of the two
look-ups that walking an uploaded document needs (`signing.normalise`, `signing.print_states`),
and the identity a walk keeps to visit each object once."""

from __future__ import annotations

from typing import Any

from pyhanko.pdf_utils import generic


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
