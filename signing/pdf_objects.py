"""Reading a parsed PDF's objects without trusting their types: the one home of the two
look-ups that walking an uploaded document needs (`signing.normalise`, `signing.print_states`)."""

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
