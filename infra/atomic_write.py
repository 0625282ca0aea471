"""Writing a private file atomically and durably: a 0600 temporary file in the target's folder,
flushed to disk, then renamed over the target (a rename within one folder is atomic on POSIX),
so that a reader never sees half a file and a crash leaves the old file or the new one.

One home for the document store (`signing.store`), pending uploads (`idp.documents.uploads`)
and the in-process store's snapshot (`infra.store.snapshot`).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

_PREFIX, _SUFFIX = ".", ".part"


def write_atomically(path: Path, data: bytes, *, keep_existing: bool = False, staging: Path | None = None) -> bool:
    """Write `data` to `path` (its folder created mode 0700); True when written. With
    `keep_existing`, a file already at `path` when the data is on disk (another writer stored
    the same content meanwhile) is kept, and the answer is False.

    `staging`: the folder of the temporary file (on the same file system as `path`, so the
    rename stays atomic; default: `path`'s folder). A process killed while writing leaves its
    temporary there, never beside the finished files, where `sweep_temporaries` finds it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = staging if staging is not None else path.parent
    if staging is not None:
        staging.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(dir=folder, prefix=_PREFIX, suffix=_SUFFIX)  # mode 0600
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


def sweep_temporaries(staging: Path, *, older_than: float, now: float | None = None) -> int:
    """Remove the temporaries in `staging` last written more than `older_than` seconds ago (what
    writers killed mid-write left: a live write lasts milliseconds); the number removed."""
    cutoff = (time.time() if now is None else now) - older_than
    removed = 0
    try:
        entries = list(staging.glob(f"{_PREFIX}*{_SUFFIX}"))
    except OSError:
        return 0
    for entry in entries:
        try:
            if entry.stat().st_mtime < cutoff:
                entry.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # its writer finished (renamed or removed it) meanwhile
    return removed
