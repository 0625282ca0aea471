"""The sealer: gives pending log entries their place in the hash chain, in batches.

Requests only INSERT pending entries (`idp.audit.log.append`). Sealing runs in one short
transaction of its own: lock the chain-head row, read the pending entries in `id` order, set
each one's `seq`, `prev_hash` and `hash` (the chain of `idp.audit.chain`), move the head, sign
checkpoints where the `[audit]` interval falls, commit. Any number of processes may seal at
once: the head lock makes them take turns, and each reads the pending entries only after it
holds the lock, so no entry is chained twice.

Order. The chain's order is the order in which entries become visible to the sealer, that
is their commit order, with `id` order among the entries one batch sees. Pending entries are
found by `seq IS NULL`, never by "every id above the last sealed one": on PostgreSQL ids are
taken at INSERT but transactions commit in any order, so an entry with a lower id may commit
after higher ones were sealed. It is then simply sealed by the next run, after them; a
watermark on ids would have skipped it forever. On SQLite one writer at a time commits, so
commit order and id order are the same.

What a pending entry is worth. It is durable (committed with the release it records) and
carries the MAC of its body (`idp.audit.chain.entry_mac`, a key derived from the server secret,
which the database never holds). The sealer chains only entries whose MAC matches; one that was
changed (or inserted, or had its MAC removed) by someone with write access to the table stays
pending, is logged at ERROR once per process ("data-sharing log entries changed before
sealing") and is named by `cedula audit verify`. The MAC stays with the sealed entry, so the
same holds after sealing, also beyond the newest checkpoint. What no MAC can show: a pending
entry deleted before the sealer ran (within `seal_seconds`) or copied (same body, same MAC),
and the order of pending entries,
which is their commit order, not part of what they say (their time is, to the microsecond).

Where it runs: `ChainSealer`, every `[audit] seal_seconds` on one process of the whole cluster
at a time (the lease `audit-log-sealer`; when its node dies another takes over within a few
intervals, and entries only wait pending meanwhile), `cedula audit seal`, and before every
reader that needs the whole chain (`checkpoint`, `cedula audit verify`, downloads). Those
others may run at the same time as the thread: the head lock keeps them correct, the lease only
keeps N idle workers from queuing on that lock every interval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from idp.audit.chain import authenticated, chain_links
from idp.audit.errors import ChainBroken
from idp.audit.log import HEAD_ID, AuditLog, _Head, audit_log, lock_head, sign_checkpoint
from idp.audit.models import AUDIT_ENTRIES, ChainHead
from infra.db import Database
from infra.leases import Lease, Leases
from infra.ops.background import Singleton
from infra.utc import as_utc

log = logging.getLogger(__name__)

BATCH = 500
_ENTRIES = AUDIT_ENTRIES
_BODY = (_ENTRIES.c.id, _ENTRIES.c.at, _ENTRIES.c.event, _ENTRIES.c.citizen_ref, _ENTRIES.c.client_id,
         _ENTRIES.c.purpose, _ENTRIES.c.legal_basis, _ENTRIES.c.law, _ENTRIES.c.claims, _ENTRIES.c.reference,
         _ENTRIES.c.mac)
# Pending entries after id `after` (those before were read by this sealing already: an entry
# whose MAC does not match stays pending and is not read again by the same run).
_PENDING = (sa.select(*_BODY).where(_ENTRIES.c.seq.is_(None), _ENTRIES.c.id > sa.bindparam("after", type_=sa.Integer))
            .order_by(_ENTRIES.c.id).limit(sa.bindparam("take", type_=sa.Integer)))
_SEAL = (sa.update(_ENTRIES)
         .where(_ENTRIES.c.id == sa.bindparam("b_id"), _ENTRIES.c.seq.is_(None))
         .values(seq=sa.bindparam("b_seq"), prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash")))
_HEADS = cast("sa.Table", ChainHead.__table__)
_MOVE_HEAD = (sa.update(_HEADS).where(_HEADS.c.id == HEAD_ID)
              .values(seq=sa.bindparam("h_seq"), hash=sa.bindparam("h_hash")))


_AT, _CLAIMS = 1, 8  # where `at` and `claims` are in `_BODY` (the MAC is last, at 10)


@dataclass(frozen=True)
class _Statements:
    """The SELECT of pending entries and the sealing UPDATE compiled once for a dialect, run as
    the driver's SQL (`exec_driver_sql`): SQLAlchemy then neither builds each UPDATE's
    parameters from its compiled statement nor processes each row it reads, which cost as much
    as the chain's hashing. The values are what SQLAlchemy itself would give and send: the
    result processors of `at` and `claims` (SQLite's text to datetime and JSON; none on
    psycopg), no bind processors (integers and text), in the dialect's parameter order. The
    claims' JSON is decoded once per text (an agency's entries name the same claims again and
    again); the lists are shared between rows, which are only read (`chain_links`)."""

    pending: sa.sql.compiler.Compiled
    pending_sql: str
    pending_order: tuple[str, ...] | None
    at: Callable[[Any], Any] | None
    claims: Callable[[Any], Any] | None
    seal_sql: str
    # Positional paramstyle: a link's values in the statement's order; named: the link as is.
    seal_values: Callable[[dict[str, Any]], Any] | None


@lru_cache(maxsize=8)
def _statements(dialect: sa.Dialect) -> _Statements | None:
    """The driver's statements for `dialect`, or None where SQLAlchemy must run them (a column
    or a parameter that needs processing this does not do)."""
    pending = _PENDING.compile(dialect=dialect)
    update = _SEAL.compile(dialect=dialect)
    processors = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in _BODY]
    if any(processors[index] is not None for index in range(len(_BODY)) if index not in (_AT, _CLAIMS)):
        return None
    if pending._bind_processors or update._bind_processors:
        return None
    pending_order = tuple(pending.positiontup) if pending.positional and pending.positiontup else None
    if update.positional:
        if not update.positiontup or set(update.positiontup) != {"b_id", "b_seq", "b_prev", "b_hash"}:
            return None
        seal_values: Callable[[dict[str, Any]], Any] | None = itemgetter(*update.positiontup)
    else:
        seal_values = None
    claims = processors[_CLAIMS]
    return _Statements(pending=pending, pending_sql=pending.string, pending_order=pending_order,
                       at=processors[_AT], claims=lru_cache(maxsize=1024)(claims) if claims is not None else None,
                       seal_sql=update.string, seal_values=seal_values)


def _pending_rows(connection: Connection, take: int, after: int = 0) -> Sequence[Sequence[Any]]:
    """Up to `take` pending entries after id `after` in `id` order, as `_BODY`'s values."""
    statements = _statements(connection.dialect)
    if statements is None:
        return connection.execute(_PENDING, {"take": take, "after": after}).fetchall()
    params = statements.pending.construct_params({"take": take, "after": after}) or {}
    order = statements.pending_order
    rows: Sequence[Sequence[Any]] = connection.exec_driver_sql(
        statements.pending_sql, tuple(params[name] for name in order) if order is not None else params).fetchall()
    at, claims = statements.at, statements.claims
    if at is None and claims is None:
        return rows
    same = _same
    at = at or same
    claims = claims or same
    return [(id_, at(moment), event, citizen, agency, purpose, basis, law, claims(names), reference, mac)
            for (id_, moment, event, citizen, agency, purpose, basis, law, names, reference, mac) in rows]


def _same(value: Any) -> Any:
    return value


def _seal_rows(connection: Connection, links: list[dict[str, Any]]) -> int:
    """The sealing UPDATE for each link (one executemany); the rows it changed (-1: unknown)."""
    statements = _statements(connection.dialect)
    if statements is None:
        return connection.execute(_SEAL, links).rowcount
    values = statements.seal_values
    params = [values(link) for link in links] if values is not None else links
    return connection.exec_driver_sql(statements.seal_sql, params).rowcount


@dataclass(frozen=True)
class Sealed:
    """What one sealing did: entries chained, checkpoints signed, and the head after it."""

    entries: int
    checkpoints: int
    head: _Head
    refused: tuple[int, ...] = ()  # ids of pending entries whose MAC does not match: left pending


def _due(head: _Head, log: AuditLog, *, seq: int, now: datetime) -> bool:
    if head.checkpoint_at is None or seq - head.checkpoint_seq >= log.policy.checkpoint_entries:
        return True
    return now - head.checkpoint_at >= timedelta(seconds=log.policy.checkpoint_seconds)


def seal_locked(session: Session, *, log: AuditLog, head: _Head, now: datetime,
                limit: int | None = BATCH) -> Sealed:
    """Chain pending entries after `head` (whose lock the caller holds): up to `limit`, or all.

    A checkpoint is signed at each entry where the interval falls (every `checkpoint_entries`
    entries, or the first entry `checkpoint_seconds` after the last one), as appends did.

    Per batch: one SELECT of the body's columns (the driver's rows, `_Statements`), the chain
    computed in local variables (`idp.audit.chain.chain_links`, byte-identical to `entry_hash`),
    one executemany UPDATE, and the head moved once.
    """
    entries = checkpoints = 0
    signed: str | None = None  # the JWS of the checkpoint this call signed last
    connection = session.connection()
    seq, digest = head.seq, head.hash
    after = 0
    refused: list[int] = []
    while True:
        take = BATCH if limit is None else min(BATCH, limit - entries)
        read = _pending_rows(connection, take, after) if take > 0 else []
        if not read:
            break
        after = int(read[-1][0])
        rows, bodies, bad = authenticated(read, log.entry_key)
        if bad:
            refused.extend(bad)
            _report_refused(connection.engine.url.render_as_string(hide_password=True), bad)
            if not rows:
                if len(read) < take:
                    break
                continue
        first = seq + 1
        updates = chain_links(rows, seq=seq, prev=digest, bodies=bodies)
        seq, digest = updates[-1]["b_seq"], updates[-1]["b_hash"]
        changed = _seal_rows(connection, updates)
        if changed not in (-1, len(updates)):
            raise ChainBroken(f"{len(updates) - changed} pending entries changed while they "
                              "were being sealed; nothing was sealed")
        connection.execute(_MOVE_HEAD, {"h_seq": seq, "h_hash": digest})
        head = replace(head, seq=seq, hash=digest)
        # Checkpoints where the interval falls inside this batch (hash of that entry), each
        # chained to the one before (read for the first of this call only).
        for update in updates:
            if _due(head, log, seq=update["b_seq"], now=now):
                signed = sign_checkpoint(session, log, seq=update["b_seq"], head_hash=update["b_hash"], now=now,
                                         previous=signed)
                head = replace(head, checkpoint_seq=update["b_seq"], checkpoint_at=now)
                checkpoints += 1
        entries += seq - first + 1
        if len(read) < take:
            break
    return Sealed(entries=entries, checkpoints=checkpoints, head=head, refused=tuple(refused))


_REPORTED: set[tuple[str, int]] = set()  # (database, entry id) this process has logged already


def _report_refused(database: str, ids: list[int]) -> None:
    """An ERROR record (once per entry and process) for pending entries the sealer will not
    chain: the operator runs `cedula audit verify`, which says what each one is and what to do."""
    new = [id_ for id_ in ids if (database, id_) not in _REPORTED]
    if not new:
        return
    if len(_REPORTED) > 10_000:
        _REPORTED.clear()
    _REPORTED.update((database, id_) for id_ in new)
    log.error("data-sharing log entries changed before sealing", extra={
        "entry_ids": new[:50], "count": len(new),
        "action": "not chained; run `cedula audit verify` (docs/operations.md, Data-sharing log)"})


def pending_count(session: Session) -> int:
    """Committed entries not yet sealed (an index-only count on the partial index)."""
    return int(session.scalar(sa.select(sa.func.count()).select_from(_ENTRIES)
                              .where(_ENTRIES.c.seq.is_(None))) or 0)


def _has_pending(database: Database) -> bool:
    with database.read() as session:
        return session.scalar(sa.select(_ENTRIES.c.id).where(_ENTRIES.c.seq.is_(None)).limit(1)) is not None


def seal(database: Database, *, log: AuditLog, now: datetime | None = None) -> int:
    """Seal every entry pending now, one batch per short transaction; the number sealed.

    Takes no lock at all when nothing is pending (a read of the partial index).
    """
    total = 0
    if not _has_pending(database):
        return 0  # an idle tick reads one index and touches nothing else (not even the keys)
    log.signer.prepare(alg=log.policy.checkpoint_alg)  # a first key is made outside our lock
    while _has_pending(database):
        with database.transaction() as session:
            sealed = seal_locked(session, log=log, head=lock_head(session),
                                 now=now or datetime.now(UTC))
        total += sealed.entries
        if sealed.entries < BATCH:
            break
    return total


class ChainSealer(Singleton):
    """The sealing thread: every process ticks, the holder of the lease seals; entries stay
    pending through an outage or a take-over."""

    name = "cedula-audit-sealer"
    LEASE = "audit-log-sealer"

    def __init__(self, *, database: Database, log: AuditLog, seconds: float,
                 holder: str | None = None) -> None:
        super().__init__(seconds=seconds, leases=Leases(database), lease_name=self.LEASE, holder=holder)
        self.database = database
        self.log = log

    def run(self, lease: Lease) -> None:
        seal(self.database, log=self.log)


def checkpoint(session: Session, *, now: datetime | None = None, log: AuditLog | None = None) -> int | None:
    """Seal every pending entry, then sign a checkpoint of the head now (`cedula audit
    checkpoint`, a citizen's download). Returns its seq, or None when the log is empty;
    nothing new since the last checkpoint: its seq."""
    log = log or audit_log()
    moment = as_utc(now) or datetime.now(UTC)
    log.signer.prepare(alg=log.policy.checkpoint_alg)
    head = seal_locked(session, log=log, head=lock_head(session), now=moment, limit=None).head
    if head.seq == 0:
        return None
    if head.checkpoint_seq == head.seq:
        return head.seq
    sign_checkpoint(session, log, seq=head.seq, head_hash=head.hash, now=moment)
    return head.seq
