"""Is this a document the service issued, or one a citizen signed with it? Found by its
SHA-256, by an earlier revision's SHA-256 (content appended afterwards), or by its
verification code (CSV).

An earlier revision counts only when a signature or document time-stamp of the file, as a
reader finds it, signs exactly those bytes (`VerificationReport.signed_ends`): every stored
document ends with the signature or time-stamp that covers all of it. A prefix that merely
ends in %%EOF is not a revision: a whole new PDF written after an issued one (its own xref,
no /Prev) shows only the new document, and must not be reported as the issued one.

A file whose bytes differ from the stored original's only where no signature of it signs (cut
after its seal, or a /Contents rewritten) is found through the verification code it carries,
as the document whose signed bytes it holds (`signed_content`, "signed_content"): such edits
break no signature, and made a withdrawn document unknown, reported as valid.

An issued (agency-sealed) document is an `IssuedDocument`; a citizen-signed one is a
`CitizenSignedDocument`, which no page or API presents as issued by an agency.

One indexed query per look-up (`documents.sha256`, `documents.csv`); a second one only to name
the replacement of a superseded document.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection
from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING

from signing.errors import InvalidCode
from signing.verify import signed_content
from signing.verify.errors import IssuedDocumentNotFound
from signing.verify.report import CitizenSignedDocument, IssuedDocument

if TYPE_CHECKING:  # `cedula verify` finds documents without the ORM (signing.verify.command)
    from sqlalchemy.orm import Session

    from signing.models import Document

# ISO 32000-1, 7.5.5: every revision ends with %%EOF and an optional end-of-line marker.
_EOF = re.compile(rb"%%EOF(\r\n|\r|\n)?")
MAX_REVISIONS = 64


def revision_ends(data: bytes) -> list[int]:
    """Offsets just after each %%EOF marker (and its end-of-line) of `data`, in file order."""
    return [match.end() for match in _EOF.finditer(data)]


def revision_digests(data: bytes, *, only: Collection[int] | None = None) -> list[str]:
    """SHA-256 of each complete revision of `data` (each prefix ending at an %%EOF), last first;
    with `only`, of the prefixes ending at those offsets.

    An issued file to which someone appended an incremental update is still found by the
    digest of the revision the service stored. Linear in the file size: one running hash,
    copied at each marker (a file of nothing but %%EOF markers costs one pass).
    """
    ends = revision_ends(data)
    if only is not None:
        wanted = set(only)
        ends = [end for end in ends if end in wanted]
    ends = ends[-MAX_REVISIONS:]
    if not ends:
        return []
    running = hashlib.sha256(data[:ends[0]])
    digests = [running.hexdigest()]
    for previous, end in pairwise(ends):
        running.update(memoryview(data)[previous:end])
        digests.append(running.hexdigest())
    return list(reversed(digests))


def candidates(data: bytes, *, signed_ends: Collection[int]) -> list[str]:
    """The digests a document of `data` may be stored under: the whole file's first, then
    each earlier revision's that a signature of the file signs to its end (`signed_ends`:
    offsets just after the last signed byte), newest first."""
    whole = hashlib.sha256(data).hexdigest()
    return [whole, *[d for d in revision_digests(data, only=signed_ends) if d != whole]]


def best_match(digests: list[str], found: Collection[str]) -> tuple[str, str] | None:
    """The first of `digests` (as `candidates` orders them) that was `found`, and how it
    matched: "hash" (the whole file) or "revision" (an earlier revision of it)."""
    for digest in digests:
        if digest in found:
            return digest, "hash" if digest == digests[0] else "revision"
    return None


def _by_content(session: Session, data: bytes, kind: str,
                signed_ends: Collection[int]) -> tuple[Document, str] | None:
    """The stored document of `kind` whose bytes are `data` or an earlier, signed revision of
    it, and how it matched (`best_match`)."""
    import sqlalchemy as sa

    from signing.models import Document

    digests = candidates(data, signed_ends=signed_ends)
    rows = session.scalars(sa.select(Document).where(Document.sha256.in_(digests),
                                                     Document.kind == kind)).all()
    by_digest = {row.sha256: row for row in rows}
    match = best_match(digests, by_digest)
    return None if match is None else (by_digest[match[0]], match[1])


def find_by_content(session: Session, *, data: bytes, signed_ends: Collection[int],
                    agency_name: Callable[[str], str | None] = lambda _: None,
                    originals: Callable[[str], bytes | None] | None = None
                    ) -> IssuedDocument | None:
    """The issued document whose bytes are `data`, or are an earlier revision of `data` that a
    signature in it signs (`signed_ends`, `candidates`); else, given `originals` (SHA-256 ->
    the stored bytes, None if not stored), the one whose signed bytes `data` holds
    (`by_signed_content`)."""
    found = _by_content(session, data, "sealed", signed_ends)
    if found is None and originals is not None:
        row = by_signed_content(session, data=data, signed_ends=signed_ends, originals=originals)
        found = None if row is None else (row, "signed_content")
    return None if found is None else describe(session, found[0], matched_by=found[1],
                                               agency_name=agency_name)


def by_signed_content(session: Session, *, data: bytes, signed_ends: Collection[int],
                      originals: Callable[[str], bytes | None]) -> Document | None:
    """The issued document proposed by a verification code written in `data` whose stored
    original signs the same bytes as `data` does (`signed_content`). One indexed query."""
    import sqlalchemy as sa

    from signing.models import Document

    codes = signed_content.codes(data) if signed_ends else []
    if not codes:
        return None
    rows = session.scalars(sa.select(Document).where(Document.csv.in_(codes),
                                                     Document.kind == "sealed")).all()
    for row in sorted(rows, key=lambda r: codes.index(r.csv)):
        original = originals(row.sha256)
        if original is not None and signed_content.signs_the_same(data, original,
                                                                   signed_ends=signed_ends):
            return row
    return None


def find_citizen_signed_by_content(session: Session, *, data: bytes,
                                   signed_ends: Collection[int]) -> CitizenSignedDocument | None:
    """The citizen-signed document whose bytes are `data`, or are an earlier signed revision
    of it (`candidates`)."""
    found = _by_content(session, data, "citizen-signed", signed_ends)
    return None if found is None else citizen_signed(found[0], matched_by=found[1])


def citizen_signed(row: Document, *, matched_by: str) -> CitizenSignedDocument:
    return CitizenSignedDocument(id=row.id, csv=row.csv, signed_at=row.issued_at,
                                 matched_by=matched_by, sha256=row.sha256,
                                 signer_serial=row.signer_serial, status=row.status)


def find_by_code(session: Session, *, code: str,
                 agency_name: Callable[[str], str | None] = lambda _: None
                 ) -> IssuedDocument | CitizenSignedDocument:
    """The document with verification code `code` (any spelling `signing.csv` reads): an
    issued one, or one a citizen signed.

    `InvalidCode` for a mistyped code, `IssuedDocumentNotFound` for a well-formed unknown one.
    """
    import sqlalchemy as sa

    from signing import csv as verification_code
    from signing.models import Document

    canonical = verification_code.normalise(code)
    row = session.scalars(sa.select(Document).where(Document.csv == canonical)).first()
    if row is None:
        raise IssuedDocumentNotFound("No document has this verification code.")
    if row.kind != "sealed":
        return citizen_signed(row, matched_by="csv")
    return describe(session, row, matched_by="csv", agency_name=agency_name)


def describe(session: Session, row: Document, *, matched_by: str,
             agency_name: Callable[[str], str | None]) -> IssuedDocument:
    import sqlalchemy as sa

    from signing.models import Document

    replacement = None
    if row.superseded_by:
        replacement = session.scalar(sa.select(Document.csv)
                                     .where(Document.id == row.superseded_by))
    return issued_document(
        id=row.id, csv=row.csv, title=row.title, client_id=row.client_id,
        issued_at=row.issued_at, status=row.status, revoked_at=row.revoked_at,
        reason=row.revocation_reason, replacement=replacement, matched_by=matched_by,
        sha256=row.sha256, template=row.template, agency_name=agency_name)


def issued_document(*, id: str, csv: str, title: str, client_id: str | None,
                    issued_at: datetime, status: str, revoked_at: datetime | None,
                    reason: str | None, replacement: str | None, matched_by: str, sha256: str,
                    template: str | None, agency_name: Callable[[str], str | None]
                    ) -> IssuedDocument:
    """What a report says of a `documents` row (the replacement's code if superseded)."""
    issuer = (agency_name(client_id) if client_id else None) or client_id or ""
    return IssuedDocument(
        id=id, csv=csv, type=title, issuer=issuer, issued_at=issued_at, status=status,
        revoked_at=revoked_at, reason=reason, superseded_by=replacement,
        matched_by=matched_by, sha256=sha256, template=template)


__all__ = ["InvalidCode", "best_match", "by_signed_content", "candidates", "describe", "find_by_code",
           "find_by_content", "find_citizen_signed_by_content", "revision_digests"]
