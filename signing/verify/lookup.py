"""Is this a document the service issued? Found by its SHA-256, by an earlier revision's
SHA-256 (content appended after issuance), or by its verification code (CSV).

One indexed query per look-up (`documents.sha256`, `documents.csv`); a second one only to name
the replacement of a superseded document.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from itertools import pairwise

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signing import csv as verification_code
from signing.errors import InvalidCode
from signing.models import Document
from signing.verify.errors import IssuedDocumentNotFound
from signing.verify.report import IssuedDocument

# ISO 32000-1, 7.5.5: every revision ends with %%EOF and an optional end-of-line marker.
_EOF = re.compile(rb"%%EOF(\r\n|\r|\n)?")
MAX_REVISIONS = 64


def revision_ends(data: bytes) -> list[int]:
    """Offsets just after each %%EOF marker (and its end-of-line) of `data`, in file order."""
    return [match.end() for match in _EOF.finditer(data)]


def revision_digests(data: bytes) -> list[str]:
    """SHA-256 of each complete revision of `data` (each prefix ending at an %%EOF), last first.

    An issued file to which someone appended an incremental update is still found by the
    digest of the revision the service stored. Linear in the file size: one running hash,
    copied at each marker (a file of nothing but %%EOF markers costs one pass).
    """
    ends = revision_ends(data)[-MAX_REVISIONS:]
    if not ends:
        return []
    running = hashlib.sha256(data[:ends[0]])
    digests = [running.hexdigest()]
    for previous, end in pairwise(ends):
        running.update(memoryview(data)[previous:end])
        digests.append(running.hexdigest())
    return list(reversed(digests))


def find_by_content(session: Session, *, data: bytes,
                    agency_name: Callable[[str], str | None] = lambda _: None
                    ) -> IssuedDocument | None:
    """The issued document whose bytes are `data`, or are an earlier revision of `data`."""
    whole = hashlib.sha256(data).hexdigest()
    candidates = [whole, *[d for d in revision_digests(data) if d != whole]]
    rows = session.scalars(sa.select(Document).where(Document.sha256.in_(candidates),
                                                     Document.kind == "sealed")).all()
    if not rows:
        return None
    by_digest = {row.sha256: row for row in rows}
    for digest in candidates:
        if digest in by_digest:
            matched = "hash" if digest == whole else "revision"
            return describe(session, by_digest[digest], matched_by=matched,
                            agency_name=agency_name)
    return None


def find_by_code(session: Session, *, code: str,
                 agency_name: Callable[[str], str | None] = lambda _: None) -> IssuedDocument:
    """The issued document with verification code `code` (any spelling `signing.csv` reads).

    `InvalidCode` for a mistyped code, `IssuedDocumentNotFound` for a well-formed unknown one.
    """
    canonical = verification_code.normalise(code)
    row = session.scalars(sa.select(Document).where(Document.csv == canonical,
                                                    Document.kind == "sealed")).first()
    if row is None:
        raise IssuedDocumentNotFound("No document has this verification code.")
    return describe(session, row, matched_by="csv", agency_name=agency_name)


def describe(session: Session, row: Document, *, matched_by: str,
             agency_name: Callable[[str], str | None]) -> IssuedDocument:
    replacement = None
    if row.superseded_by:
        replacement = session.scalar(sa.select(Document.csv)
                                     .where(Document.id == row.superseded_by))
    issuer = (agency_name(row.client_id) if row.client_id else None) or row.client_id or ""
    return IssuedDocument(
        id=row.id, csv=row.csv, type=row.title, issuer=issuer, issued_at=row.issued_at,
        status=row.status, revoked_at=row.revoked_at, reason=row.revocation_reason,
        superseded_by=replacement, matched_by=matched_by, sha256=row.sha256,
        template=row.template)


__all__ = ["InvalidCode", "describe", "find_by_code", "find_by_content", "revision_digests"]
