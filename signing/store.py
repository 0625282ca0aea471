"""The document store: PDF bytes kept under their SHA-256, written atomically.

Files live at `<root>/ab/cd/<sha256>.pdf` (two levels of fan-out keep folders small). A file is
written to a temporary name in `<root>/.staging`, flushed to disk and renamed into place, so a
reader never sees half a file, and a node killed while writing leaves its temporary only in
`.staging`, which the next start of a node sweeps (`sweep_temporaries`: those older than
`STALE_SECONDS`, so another node's write in progress is never touched). `staged()` pairs a file
with the database transaction that records it.

Identical bytes are one file, so two requests (on one node or several sharing the folder) may
record the same file at once. A file is removed only when no committed row references its
SHA-256 (the `references` registered with the store: `signing`'s documents, the identity
provider's prepared documents), decided under a per-hash lock that every writer also holds
from the moment its rows are written until it commits (`hold`: an advisory transaction lock
on PostgreSQL, the database's write lock on SQLite). A writer checks, under that lock, that
its file is still there and writes it again if a failed writer of the same bytes removed it
just before; so a committed row never loses its file, and a rollback leaves no orphan unless
the database cannot be asked (the file is then kept: an orphan is harmless, a missing file
is not).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from infra.atomic_write import sweep_temporaries, write_atomically
from infra.db import Database
from signing.errors import SigningError

_HEX = re.compile(r"[0-9a-f]{64}")
STAGING = ".staging"
STALE_SECONDS = 15 * 60  # a temporary this old is a killed writer's: a write lasts milliseconds
_LOCK_SPACE = 0x43444F43  # "CDOC": the first key of the two-key advisory locks on stored files

log = logging.getLogger(__name__)

Reference = Callable[[Session, str], bool]
"""Whether a committed row references the file with this SHA-256 (one query)."""


class DocumentNotStored(SigningError):
    """No stored file has this SHA-256 (or the name given is not a SHA-256)."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    created: bool
    """False when identical bytes were already stored (the file is shared)."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DocumentStore:
    """Content-addressed files under one folder (created mode 0700)."""

    def __init__(self, root: Path, *, references: Iterable[Reference] = ()) -> None:
        self.root = Path(root)
        self.staging = self.root / STAGING
        self._references: list[Reference] = list(references)

    def add_reference(self, reference: Reference) -> None:
        """Another table that records stored files: a file it references is never removed."""
        self._references.append(reference)

    def referenced(self, session: Session, sha256: str) -> bool:
        return any(reference(session, sha256) for reference in self._references)

    def path(self, sha256: str) -> Path:
        if not isinstance(sha256, str) or not _HEX.fullmatch(sha256):
            raise DocumentNotStored(f"{sha256!r} is not a lower-case hex SHA-256")
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.pdf"

    def put(self, data: bytes) -> StoredFile:
        """Store `data` (idempotent: the same bytes are one file)."""
        sha = digest(data)
        target = self.path(sha)
        if target.exists():
            return StoredFile(sha, len(data), created=False)
        # Another writer may store the same bytes meanwhile: its file is kept, and not ours to remove.
        created = write_atomically(target, data, keep_existing=True, staging=self.staging)
        return StoredFile(sha, len(data), created=created)

    def sweep_temporaries(self, *, older_than: float = STALE_SECONDS) -> int:
        """Remove what writers killed mid-write left in `.staging`; the number removed (logged)."""
        removed = sweep_temporaries(self.staging, older_than=older_than)
        if removed:
            log.warning("removed temporary document files that killed writers left",
                        extra={"count": removed, "folder": str(self.staging)})
        return removed

    def read(self, sha256: str) -> bytes:
        """The bytes stored under `sha256`; `DocumentNotStored` if there are none, or if the
        file holds other bytes (changed on disk, or a backup restored over it): the
        verification page reports and offers for download what it reads here, with the
        title, agency and status of the document recorded under that digest."""
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise DocumentNotStored(f"no stored document has SHA-256 {sha256}") from None
        if digest(data) != sha256:
            log.error("stored document does not match its SHA-256", extra={"sha256": sha256})
            raise DocumentNotStored(f"the file stored for SHA-256 {sha256} holds other bytes")
        return data

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def remove(self, sha256: str) -> None:
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            pass

    @contextmanager
    def staged(self, data: bytes, database: Database) -> Iterator[tuple[StoredFile, Session]]:
        """Store `data` and open the transaction that records it:

            with store.staged(pdf, database) as (stored, session):
                session.add(Document(sha256=stored.sha256, ...))

        Before the commit, under the file's lock, the file is written again if a failed writer
        of the same bytes removed it meanwhile. If the block or the commit fails, a file this
        call created is removed, unless a committed row references it (`discard`).
        """
        stored = self.put(data)
        created = stored.created
        try:
            with database.transaction() as session:
                yield stored, session
                session.flush()
                hold(session, stored.sha256)
                created = self.put(data).created or created
        except BaseException:
            if created:
                self.discard(database, stored.sha256)
            raise

    def discard(self, database: Database, sha256: str) -> bool:
        """Remove the file unless a committed row references it (checked under the file's lock,
        in a transaction of its own). True if it was removed. When the database cannot be
        asked, the file is kept (an orphan, never a committed document without its file)."""
        try:
            with database.transaction() as session:
                hold(session, sha256)
                if self.referenced(session, sha256):
                    return False
                self.remove(sha256)
                return True
        except Exception as exc:  # the caller's own failure is what it reports
            log.warning("stored file kept after a failed transaction", extra={
                "sha256": sha256, "reason": f"{type(exc).__name__}: {exc}"})
            return False


def hold(session: Session, sha256: str) -> None:
    """Hold the lock of the stored file `sha256` until `session`'s transaction ends.

    PostgreSQL: a transaction-level advisory lock on the hash (two writers of different bytes
    rarely share a key, and then only wait for each other). SQLite: the database's write lock,
    which a transaction that has written already holds (BEGIN IMMEDIATE otherwise); nodes
    sharing a store folder share the database, so the lock is theirs too.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(bytes.fromhex(sha256[:8]), "big", signed=True)
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:space, :key)"),
                           {"space": _LOCK_SPACE, "key": key})
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is not None and not getattr(dbapi_connection, "in_transaction", True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
