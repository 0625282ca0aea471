"""The document store: PDF bytes kept under their SHA-256, written atomically.

Files live at `<root>/ab/cd/<sha256>.pdf` (two levels of fan-out keep folders small). A file is
written to a temporary name in its folder, flushed to disk and renamed, so a reader never
sees half a file. `staged()` pairs a file with the database transaction that records it: if
the transaction fails, a file this call created is removed again, leaving no orphan.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from infra.atomic_write import write_atomically
from signing.errors import SigningError

_HEX = re.compile(r"[0-9a-f]{64}")


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

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

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
        created = write_atomically(target, data, keep_existing=True)
        return StoredFile(sha, len(data), created=created)

    def read(self, sha256: str) -> bytes:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise DocumentNotStored(f"no stored document has SHA-256 {sha256}") from None

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def remove(self, sha256: str) -> None:
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            pass

    @contextmanager
    def staged(self, data: bytes) -> Iterator[StoredFile]:
        """Store `data` for the duration of the block; removed again if the block raises.

        Use it around the transaction that records the file:

            with store.staged(pdf) as stored, database.transaction() as session:
                session.add(Document(sha256=stored.sha256, ...))
        """
        stored = self.put(data)
        try:
            yield stored
        except BaseException:
            if stored.created:
                self.remove(stored.sha256)
            raise
