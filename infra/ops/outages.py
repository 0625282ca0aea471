"""What the operator is told to do when the database or Redis stops answering: one sentence per
part, put as the `action` of every log line about the outage (a request answered 503, `/readyz`,
a background task that cannot run), so the line says what to check, not only what failed."""

from __future__ import annotations

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


def action(exc: BaseException) -> str:
    """What to do about `exc`, a database or an ephemeral store outage."""
    return DATABASE if is_unavailable(exc) else STORE
