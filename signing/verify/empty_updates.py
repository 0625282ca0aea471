"""Incremental updates that carry no object (ISO 32000-1, 7.5.6).

An update may consist of nothing but a cross-reference section that lists no object (a table
`xref 0 0`, or a cross-reference stream that lists only itself) and a trailer naming the
previous one. pyHanko grades such a revision as an LTA update ("validation data"), yet it adds
no DSS, no time-stamp, nothing at all: what follows the signature is bytes that change nothing
(`report.Modifications` "unchanged"), not validation data.
"""

from __future__ import annotations

from pyhanko.pdf_utils.reader import PdfFileReader


def carry_nothing(reader: PdfFileReader, signed_revision: int) -> bool:
    """Whether every revision after `signed_revision` lists no object, added, redefined or
    freed, besides its own cross-reference stream."""
    xrefs = reader.xrefs
    for revision in range(signed_revision + 1, xrefs.total_revisions):
        own = xrefs.get_xref_container_info(revision).stream_ref
        listed = {(ref.idnum, ref.generation) for ref in xrefs.explicit_refs_in_revision(revision)}
        if own is not None:
            listed.discard((own.idnum, own.generation))
        freed = {ref for ref in xrefs.refs_freed_in_revision(revision) if ref.idnum != 0}
        if listed or freed:  # object 0: the head of the free list, in every table
            return False
    return True
