"""Cédula's own policy on what may follow a signature, on top of pyHanko's difference analysis.

ETSI EN 319 142-1 (5.4) lets validation data and document time-stamps follow a PAdES
signature, and ISO 32000-1 (12.8.2.2) lets a certification's permissions allow form filling.
pyHanko's `DEFAULT_DIFF_POLICY` also lets pass, silently, changes that alter what a reader
shows or what the document claims about itself (shadow attacks, Mainka et al., NDSS 2021):
it exempts from comparison the catalog's /MarkInfo, /Version and /Metadata (XMP), the whole
trailer /Info, and the AcroForm's /NeedAppearances, /DA, /DR and /Q. This module compares
those, revision by revision after the signed one:

- /Info: only /ModDate and /Producer may change (every PDF writer stamps them);
- XMP (/Metadata): only xmp:ModifyDate, xmp:MetadataDate and pdf:Producer may change (a PDF/A
  or PDF/UA claim added after signing is a change of what the document claims);
- catalog /MarkInfo and /Version: no change;
- AcroForm /NeedAppearances, /DA, /DR, /Q, /XFA: no change (a viewer would regenerate or
  restyle field appearances: what is shown is no longer what was signed).

A finding is "metadata" (what the document claims) or "form_filling" (what it shows); both
are at least INDETERMINATE (`indication`). None: nothing this policy forbids.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

from signing.verify.budget import checkpoint

INFO_STAMPS = frozenset({"/ModDate", "/Producer"})
XMP_STAMPS = frozenset({("http://ns.adobe.com/xap/1.0/", "ModifyDate"),
                        ("http://ns.adobe.com/xap/1.0/", "MetadataDate"),
                        ("http://ns.adobe.com/pdf/1.3/", "Producer")})
CATALOG_CLAIMS = ("/MarkInfo", "/Version")
FORM_APPEARANCE = ("/NeedAppearances", "/DA", "/DR", "/Q", "/XFA")


@dataclass(frozen=True)
class Finding:
    level: str  # "metadata" | "form_filling"
    detail: str


def _plain(value: Any, depth: int = 0) -> Any:
    """A comparable, reference-free form of a PDF object (references by number, depth-bound)."""
    if depth > 32:
        return "..."
    if isinstance(value, generic.IndirectObject):
        return ("ref", value.idnum, value.generation)
    if isinstance(value, generic.DictionaryObject):
        return tuple(sorted((str(k), _plain(value.raw_get(k), depth + 1)) for k in value))
    if isinstance(value, generic.ArrayObject):
        return tuple(_plain(value.raw_get(i), depth + 1) for i in range(len(value)))
    if isinstance(value, generic.StreamObject):
        return ("stream", value.data)
    return repr(value)


def _deref(resolver: HistoricalResolver, value: Any) -> Any:
    """`value` as it was in `resolver`'s revision (references resolve in that revision)."""
    if isinstance(value, generic.IndirectObject):
        return resolver.get_object(value.reference)
    return value


def _dict(resolver: HistoricalResolver, holder: Any, key: str) -> dict[str, Any]:
    value = _deref(resolver, holder.raw_get(key)) if holder is not None and key in holder \
        else None
    if not isinstance(value, generic.DictionaryObject):
        return {}
    return {str(k): _plain(_deref(resolver, value.raw_get(k))) for k in value}


def _get(resolver: HistoricalResolver, holder: Any, key: str) -> Any:
    if holder is None or key not in holder:
        return None
    return _deref(resolver, holder.raw_get(key))


def _xmp(resolver: HistoricalResolver, holder: Any) -> frozenset[Any] | None:
    stream = _get(resolver, holder, "/Metadata")
    if stream is None:
        return None
    if not isinstance(stream, generic.StreamObject):
        return frozenset({("invalid", repr(stream))})
    try:
        from pyhanko.pdf_utils.metadata import xmp_xml

        roots = xmp_xml.parse_xmp(BytesIO(stream.read_data(DecodePurpose.XMP_METADATA)))
    except Exception:  # unparsable XMP: compare its bytes
        return frozenset({("raw", stream.data)})
    return frozenset((name.ns, name.local_name, repr(value)) for root in roots
                     for name, value in root if (name.ns, name.local_name) not in XMP_STAMPS)


def _compare(old: HistoricalResolver, new: HistoricalResolver) -> Finding | None:
    old_info = _dict(old, old.trailer_view, "/Info")
    new_info = _dict(new, new.trailer_view, "/Info")
    changed = sorted(k for k in set(old_info) | set(new_info)
                     if k not in INFO_STAMPS and old_info.get(k) != new_info.get(k))
    if changed:
        return Finding("metadata", f"document information changed: {', '.join(changed)}")
    old_root, new_root = old.root, new.root
    for key in CATALOG_CLAIMS:
        if _plain(_get(old, old_root, key)) != _plain(_get(new, new_root, key)):
            return Finding("metadata", f"catalog {key} changed")
    if _xmp(old, old_root) != _xmp(new, new_root):
        return Finding("metadata", "XMP metadata changed")
    old_form = _get(old, old_root, "/AcroForm")
    new_form = _get(new, new_root, "/AcroForm")
    for key in FORM_APPEARANCE:
        before = _plain(_get(old, old_form, key))
        after = _plain(_get(new, new_form, key))
        if before != after:
            return Finding("form_filling", f"form {key} changed")
    return None


def review(reader: PdfFileReader, signed_revision: int) -> Finding | None:
    """The first change after `signed_revision` this policy forbids, or None."""
    previous = reader.get_historical_resolver(signed_revision)
    for revision in range(signed_revision + 1, reader.xrefs.total_revisions):
        checkpoint()
        current = reader.get_historical_resolver(revision)
        finding = _compare(previous, current)
        if finding is not None:
            return finding
        previous = current
    return None
