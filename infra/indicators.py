"""Daily indicators kept in the database: how many times something happened, by day, agency,
kind and one dimension. Durable (not per-process counters) and free of personal data: a row
says "12 sign-ins at level high to agency X on 2026-12-04", never who.

The code that records an event counts it in the same transaction, with one UPSERT
(`INSERT ... ON CONFLICT DO UPDATE`, PostgreSQL and SQLite alike), so an event that is rolled
back is not counted and one that commits is counted once:

    tally(session, "document.issued", agency=client_id, dimension=template)

Events whose request has no transaction of its own (an authorization request received, a
client credentials token) hand their count to the group commit's deferred counts
(`infra.deferred_counts`: added up in memory, written within a second, and on a graceful
stop, without the request waiting; a process killed outright loses its last second). Rare ones
(an error answered) use `tally_apart`, which writes in a short transaction of its own and never fails
the request that counts (a count lost while the database is down is logged, not raised).

A count is spread over `SHARDS` rows chosen at random, so that concurrent transactions
counting the same thing do not wait on one row lock until they commit; `read` adds them up.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from infra.db import Database
from infra.models import INDICATORS

log = logging.getLogger(__name__)

SHARDS = 8
PLATFORM = ""  # the agency of events that concern no agency (an enrolment, a verification)
_LIMITS = {"agency": 64, "kind": 48, "dimension": 64}


class IndicatorError(ValueError):
    """A count that cannot be kept (a name too long or empty, a negative amount)."""


@dataclass(frozen=True)
class Count:
    day: date
    agency: str
    kind: str
    dimension: str
    count: int


def _checked(field: str, value: str | None, *, required: bool = False) -> str:
    text = value or ""
    if required and not text:
        raise IndicatorError(f"{field} is required")
    if len(text) > _LIMITS[field]:
        raise IndicatorError(f"{field} must be at most {_LIMITS[field]} characters, got {len(text)}")
    return text


def today(now: datetime | None = None) -> date:
    """The day (UTC) an event at `now` is counted on."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


_KEY = ("day", "agency", "kind", "dimension", "shard")


def _build_upsert(dialect: str) -> sa.Executable:
    if dialect == "postgresql":
        pg = postgresql.insert(INDICATORS)
        return pg.on_conflict_do_update(index_elements=list(_KEY),
                                        set_={"count": INDICATORS.c.count + pg.excluded.count})
    lite = sqlite.insert(INDICATORS)
    return lite.on_conflict_do_update(index_elements=list(_KEY),
                                      set_={"count": INDICATORS.c.count + lite.excluded.count})


# Built once per dialect: a count binds only its values (one row each, executemany for many).
_UPSERTS = {dialect: _build_upsert(dialect) for dialect in ("postgresql", "sqlite")}


def upsert_statement(dialect: str) -> sa.Executable:
    """The UPSERT of one count row for `dialect` (built once; `upsert_rows` gives its values)."""
    statement = _UPSERTS.get(dialect)
    return statement if statement is not None else _build_upsert(dialect)


@dataclass(frozen=True)
class Increment:
    """One count to add (`tally`'s arguments, checked), for `add_up`."""

    day: date
    agency: str
    kind: str
    dimension: str
    by: int = 1


def increment(kind: str, *, agency: str | None = None, dimension: str | None = None, by: int = 1,
              now: datetime | None = None) -> Increment:
    """A checked count of `kind` for `agency` and `dimension` on the day of `now`."""
    if by < 0:
        raise IndicatorError(f"a count only grows; got {by}")
    return Increment(day=today(now), agency=_checked("agency", agency), kind=_checked("kind", kind, required=True),
                     dimension=_checked("dimension", dimension), by=by)


def upsert_rows(counts: Iterable[Increment]) -> list[dict[str, object]]:
    """The values of `upsert_statement` for `counts`: increments of one key summed, one row per
    key, in key order (so that concurrent transactions touching the same rows take their
    locks in one order), all on one shard chosen at random (a key appears once)."""
    totals: dict[tuple[date, str, str, str], int] = {}
    for count in counts:
        if count.by:
            key = (count.day, count.agency, count.kind, count.dimension)
            totals[key] = totals.get(key, 0) + count.by
    if not totals:
        return []
    shard = random.randrange(SHARDS)  # one shard per statement: a key appears in it once
    return [{"day": day, "agency": agency, "kind": kind, "dimension": dimension, "shard": shard, "count": by}
            for (day, agency, kind, dimension), by in sorted(totals.items())]


def add_up(connection: sa.Connection, counts: Iterable[Increment]) -> None:
    """Add `counts` in the connection's transaction: one UPSERT per key, in one call (a
    statement built once, executemany; none for no count), as `upsert_rows` says."""
    rows = upsert_rows(counts)
    if rows:
        connection.execute(upsert_statement(connection.dialect.name), rows if len(rows) > 1 else rows[0])


def tally(session: Session, kind: str, *, agency: str | None = None, dimension: str | None = None,
          by: int = 1, now: datetime | None = None) -> None:
    """Add `by` to today's count of `kind` for `agency` and `dimension`, in the caller's
    transaction (it commits or rolls back with the event)."""
    add_up(session.connection(), [increment(kind, agency=agency, dimension=dimension, by=by, now=now)])


def tally_many(session: Session, counts: Iterable[tuple[str, str | None, str | None]], *,
               now: datetime | None = None) -> None:
    """Several counts of one event (e.g. a consent: one per kind of data shared), in one
    statement."""
    add_up(session.connection(), [increment(kind, agency=agency, dimension=dimension, now=now)
                                  for kind, agency, dimension in counts])


def tally_apart(database: Database, kind: str, *, agency: str | None = None, dimension: str | None = None,
                now: datetime | None = None) -> bool:
    """Count in a transaction of its own; False (and a warning) when the database refused."""
    try:
        with database.transaction() as session:
            tally(session, kind, agency=agency, dimension=dimension, now=now)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("indicator not counted", extra={"kind": kind, "error": str(exc).splitlines()[0]
                                                    if str(exc) else type(exc).__name__})
        return False
    return True


def read(session: Session, *, start: date, end: date, kinds: Iterable[str] | None = None,
         agency: str | None = None) -> list[Count]:
    """The counts from `start` to `end` (both included), shards added up, ordered by day,
    agency, kind and dimension. `agency`: one agency's only (PLATFORM for the platform's)."""
    t = INDICATORS.c
    query = (sa.select(t.day, t.agency, t.kind, t.dimension, sa.func.sum(t.count).label("total"))
             .where(t.day >= start, t.day <= end)
             .group_by(t.day, t.agency, t.kind, t.dimension)
             .order_by(t.day, t.agency, t.kind, t.dimension))
    wanted = list(kinds) if kinds is not None else None
    if wanted is not None:
        query = query.where(t.kind.in_(wanted))
    if agency is not None:
        query = query.where(t.agency == agency)
    return [Count(day=row.day, agency=row.agency, kind=row.kind, dimension=row.dimension,
                  count=int(row.total)) for row in session.execute(query)]
