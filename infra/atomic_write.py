"""Writing a private file atomically and durably: a 0600 temporary file in the target's folder,
flushed to disk, then renamed over the target (a rename within one folder is atomic on POSIX),
so that a reader never sees half a file and a crash leaves the old file or the new one.

One home for the document store (`signing.store`), pending uploads (`idp.documents.uploads`)
and the in-process store's snapshot (`infra.store.snapshot`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, keep_existing: bool = False) -> bool:
    """Write `data` to `path` (its folder created mode 0700); True when written. With
    `keep_existing`, a file already at `path` when the data is on disk (another writer stored
    the same content meanwhile) is kept, and the answer is False."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")  # mode 0600
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if keep_existing and path.exists():
            return False
        os.replace(temporary, path)
        return True
    finally:
        temporary.unlink(missing_ok=True)
