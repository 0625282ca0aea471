"""What a PDF prints otherwise than it shows on screen (ISO 32000-2, 12.5.3 and 8.11.4).

- An annotation flagged NoView and Print (not Hidden) is printed but never displayed.
- An annotation flagged NoView and ToggleNoView (not Hidden) is displayed only while the
  pointer hovers over it or selects it (`hover_only`): the screen says something else then.
- An annotation other than a widget with a rollover or down appearance (/AP /R, /D; ISO
  32000-2, 12.5.5) other than its normal one draws something else while the pointer is over
  it or presses it (`pointer_appearances`). A widget's are left to the form (flattened from
  its normal appearance before signing; a checkbox's pressed look is no news).
- Optional content (layers) may switch on or off when printed: a configuration's automatic
  states (`/AS` with the Print event) and a group's print usage (`/Usage /Print`).

A preview or a verification page shows the screen; the paper (or the pointer) may say something
else.
`signing.normalise` removes both before a citizen sees a file; `signing.verify.active_content`
tells who verifies a file that has them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyhanko.pdf_utils import generic

from signing.pdf_objects import dictionary as _dict
from signing.pdf_objects import entry as _get
from signing.pdf_objects import identity

HIDDEN, PRINT, NO_VIEW = 1 << 1, 1 << 2, 1 << 5  # annotation flags (ISO 32000-2, 12.5.3)
# ToggleNoView inverts NoView when the pointer hovers over the annotation or selects it: such
# an annotation is shown then (ISO 32000-2, 12.5.3, Table 167)
TOGGLE_NO_VIEW = 1 << 8


def annotation_flags(annot: generic.DictionaryObject) -> int:
    """`annot`'s flags (/F, ISO 32000-2, 12.5.3: an integer); a value that is no integer
    (`/F 2.5`, a name, a string) is no flags at all, as poppler and pdf.js read it: such an
    annotation is drawn, whatever a rounded number would say (pdfatk14)."""
    flags = _get(annot, "/F", 0)
    return flags if isinstance(flags, int) else 0


def paper_only(annot: generic.DictionaryObject) -> bool:
    """Whether `annot` is printed but never shown on screen (NoView and Print, not Hidden)."""
    return annotation_flags(annot) & (HIDDEN | PRINT | NO_VIEW) == PRINT | NO_VIEW


def hover_only(annot: generic.DictionaryObject) -> bool:
    """Whether `annot` is shown on screen only under the pointer or when selected (NoView and
    ToggleNoView, not Hidden; ISO 32000-2, 12.5.3, Table 167): a reader who does not point at
    it, and a preview, do not see it; one who hovers does (pdfatk15)."""
    return annotation_flags(annot) & (HIDDEN | NO_VIEW | TOGGLE_NO_VIEW) == \
        NO_VIEW | TOGGLE_NO_VIEW


def pointer_appearances(annot: generic.DictionaryObject) -> bool:
    """Whether `annot` (not a widget) has a rollover (/R) or down (/D) appearance that is not
    its normal appearance (/N) itself, the same reference or the same states referring to the
    same streams (pdfatk15)."""
    appearances = _dict(_get(annot, "/AP"))
    if appearances is None or _get(annot, "/Subtype") == "/Widget":
        return False
    normal = _written(appearances, "/N")
    return any(key in appearances and not _same(_written(appearances, key), normal)
               for key in ("/R", "/D"))


def _written(node: generic.DictionaryObject, key: str) -> Any:
    return node.raw_get(key) if key in node else None


def _same(one: Any, other: Any) -> bool:
    """Whether two appearances, as written, are the same stream (or the same states of the
    same streams)."""
    if identity(one) == identity(other):
        return True
    one, other = _dict(one), _dict(other)
    if one is None or other is None or isinstance(one, generic.StreamObject) or \
            isinstance(other, generic.StreamObject) or set(one) != set(other):
        return False
    return all(identity(one.raw_get(key)) == identity(other.raw_get(key)) for key in one)


def print_states(root: generic.DictionaryObject
                 ) -> Iterator[tuple[generic.DictionaryObject, str]]:
    """(dictionary, key) of what makes the optional content of the document whose catalog is
    `root` print otherwise than it shows (ISO 32000-2, 8.11.4.3-4): a configuration's
    automatic states (`/AS`) and a group's print usage (`/Usage /Print`)."""
    properties = _dict(_get(root, "/OCProperties"))
    if properties is None:
        return
    configs = [_get(properties, "/D")]
    alternates = _get(properties, "/Configs")
    configs += list(alternates) if isinstance(alternates, generic.ArrayObject) else []
    for config in map(_dict, configs):
        if config is not None and "/AS" in config:
            yield config, "/AS"
    groups = _get(properties, "/OCGs")
    for group in map(_dict, groups if isinstance(groups, generic.ArrayObject) else []):
        usage = _dict(_get(group, "/Usage")) if group is not None else None
        if usage is not None and "/Print" in usage:
            yield usage, "/Print"
