"""PDFs a citizen opened for signing, kept until they confirm (or for `confirm_seconds`).

The file sits in `<documents dir>/pending/<id>.pdf` (a shared volume when there are several
workers); what it is and whose it is lives in the ephemeral store, so any worker can finish
the signature. Unconfirmed files are swept when they are twice as old as the time allowed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from infra.atomic_write import write_atomically
from infra.store import EphemeralStore

PREFIX = "documents:upload:"


@dataclass(frozen=True)
class Upload:
    id: str
    citizen_id: str
    sha256: str
    size: int
    file_name: str
    pages: int
    signatures: int
    client_id: str | None = None
    prepared_id: str | None = None
    """Set when the PDF is one an agency prepared (`idp.documents.prepared`)."""


class Uploads:
    def __init__(self, root: Path, *, ttl: int) -> None:
        self.root = Path(root) / "pending"
        self.ttl = ttl

    def _path(self, upload_id: str) -> Path:
        if not upload_id.replace("-", "").replace("_", "").isalnum() or len(upload_id) > 40:
            raise KeyError(upload_id)
        return self.root / f"{upload_id}.pdf"

    def put(self, store: EphemeralStore, *, citizen_id: str, data: bytes, file_name: str,
            pages: int, signatures: int, client_id: str | None = None,
            prepared_id: str | None = None) -> Upload:
        self.sweep()
        upload = Upload(id=secrets.token_urlsafe(18), citizen_id=citizen_id,
                        sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                        file_name=file_name, pages=pages, signatures=signatures,
                        client_id=client_id, prepared_id=prepared_id)
        write_atomically(self._path(upload.id), data)
        store.set(PREFIX + upload.id, json.dumps(asdict(upload)).encode(), self.ttl)
        return upload

    def get(self, store: EphemeralStore, upload_id: str, *, citizen_id: str) -> Upload | None:
        """The citizen's pending upload, or None (unknown, expired, or someone else's)."""
        raw = store.get(PREFIX + upload_id) if len(upload_id) <= 40 else None
        if raw is None:
            return None
        upload = Upload(**json.loads(raw))
        return upload if upload.citizen_id == citizen_id else None

    def read(self, upload: Upload) -> bytes | None:
        """The bytes, if they are still exactly what was uploaded."""
        try:
            data = self._path(upload.id).read_bytes()
        except (FileNotFoundError, KeyError):
            return None
        return data if hashlib.sha256(data).hexdigest() == upload.sha256 else None

    def discard(self, store: EphemeralStore, upload: Upload) -> None:
        store.delete(PREFIX + upload.id)
        try:
            self._path(upload.id).unlink()
        except FileNotFoundError:
            pass

    def sweep(self) -> None:
        """Remove files of uploads nobody confirmed in time."""
        if not self.root.is_dir():
            return
        limit = time.time() - 2 * self.ttl
        for path in self.root.iterdir():
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
            except FileNotFoundError:
                continue
