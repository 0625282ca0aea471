"""What the operator is told to do when the database or Redis stops answering: one sentence per
part, put as the `action` of every log line about the outage (a request answered 503, `/readyz`,
a background task that cannot run), so the line says what to check, not only what failed."""

from __future__ import annotations

import errno

from infra.db import is_unavailable

DATABASE = ("check that the database runs and accepts connections at [database] url "
            "(CEDULA_DATABASE_URL; empty: SQLite at <data_dir>/cedula.db, which must be writable), "
            "then that `cedula db upgrade` has nothing to do; requests get 503 with Retry-After "
            "until it answers, and nothing is half saved (docs/operations.md, PostgreSQL and the "
            "connection pools)")
STORE = ("check that Redis runs and answers at [store] redis_url (CEDULA_REDIS_URL), with its "
         "password and, behind Sentinel, a primary the sentinels name; requests that need it get "
         "503 with Retry-After until it answers (docs/operations.md, Redis)")
SCHEMA = ("run `cedula db upgrade` with this version (its tables and columns are not in the "
          "database yet); until then /readyz fails and requests that need them get 503 with "
          "Retry-After (docs/operations.md, Upgrades)")
NEWER_SCHEMA = ("run the newer release that migrated the database, or restore the backup taken before "
                "its `cedula db upgrade`: this version cannot migrate it (docs/operations.md, Upgrades)")


STORAGE = ("free space on the file system of [documents] storage_dir (CEDULA_DOCUMENTS_STORAGE_DIR; "
           "default <data_dir>/documents) and of the data folder, or make it writable again (a quota, "
           "a volume mounted read-only); requests that write files get 503 with Retry-After until "
           "it has room, and nothing is half saved (docs/operations.md, Disk full)")
FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
"""A file system that takes no more writes: full, over quota, or mounted read-only."""


def storage_full(exc: BaseException) -> OSError | None:
    """The write a file system refused for want of room (or of write access), if that is what
    `exc` or an error it was raised from is; None for any other error."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        if isinstance(current, OSError) and current.errno in FULL:
            return current
        seen.append(current)
        current = current.__cause__ or current.__context__
    return None


def action(exc: BaseException) -> str:
    """What to do about `exc`, a database or an ephemeral store outage."""
    return DATABASE if is_unavailable(exc) else STORE
