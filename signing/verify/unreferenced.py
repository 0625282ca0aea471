"""Incremental updates that add only objects nothing uses (ISO 32000-1, 7.5.6 and 7.3.10).

An update may define new objects that no object of the document and not its trailer refers to.
A reader reaches objects only through references from the trailer, so such objects are never
shown, run or read. pyHanko's difference analysis clears them as orphans at the level of an
LTA update ("validation data": `StandardDiffPolicy(ignore_orphaned_objects=True)`), yet they
are neither a DSS nor a time-stamp: the report says so (`report.Modifications`
"unreferenced"), and that they change nothing shown.

pyHanko's search for orphans only follows references from the trailer and from the objects
an update rewrites; it assumes that no older object refers to one not yet defined. That
holds here: the walk of the signed revision's whole object graph by the difference analysis
(`reverse_refs`, strict mode) refuses a reference to an undefined object before this runs.
"""

from __future__ import annotations

from pyhanko.pdf_utils.reader import PdfFileReader


def only_unreferenced(reader: PdfFileReader, signed_revision: int) -> bool:
    """Whether every revision after `signed_revision` defines only objects new to the file
    that its trailer does not reach, frees none, and at least one revision defines one."""
    xrefs = reader.xrefs
    added = False
    for revision in range(signed_revision + 1, xrefs.total_revisions):
        own = xrefs.get_xref_container_info(revision).stream_ref
        listed = {ref for ref in xrefs.explicit_refs_in_revision(revision)
                  if own is None or (ref.idnum, ref.generation) != (own.idnum, own.generation)}
        if any(ref.idnum != 0 for ref in xrefs.refs_freed_in_revision(revision)):
            return False
        if not listed:
            continue
        previous = reader.get_historical_resolver(revision - 1)
        if not all(previous.is_ref_unassignable(ref) for ref in listed):
            return False  # an object of the signed document redefined
        now = reader.get_historical_resolver(revision)
        if listed & now.collect_dependencies(now.trailer_view, since_revision=revision):
            return False  # the trailer (a new /Root, /Info, ...) reaches one of them
        added = True
    return added
