"""Leases: who may do one piece of background work now, for how long, with a fencing token.

Background work (sealing the data-sharing log, delivering logout tokens, renewing documents)
runs on every node, but some of it must run on one node at a time, and none of it may be lost
when the node doing it dies. A lease is a row in the database (`infra_leases`): a name, its
holder, an expiry by the database's clock, and a token that grows each time the lease changes
hands. The holder renews it while it works; a holder that dies stops renewing, the lease
expires and another node takes over. The token fences a holder that only believes it still
holds the lease (paused, partitioned): writes guarded by `token = :token` fail for it.

    leases = Leases(database)
    lease = leases.acquire("audit-sealer", holder=node_id, seconds=15)
    if lease is not None:
        with leases.kept(lease) as kept:  # renewed in the background until the block ends
            ...                           # kept.lost is set if it could not be renewed
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa

from infra.clock import db_now
from infra.db import Database
from infra.models import LEASES, LeaseRow

log = logging.getLogger(__name__)


def holder_id() -> str:
    """A name for this process that no other process shares: host, pid and a random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    token: int
    """Grows by one every time the lease changes hands: a fencing token."""
    expires_at: float
    seconds: float


@dataclass
class Kept:
    """A lease being renewed in the background; `lost` is set when a renewal fails."""

    lease: Lease
    lost: threading.Event = field(default_factory=threading.Event)


class Leases:
    def __init__(self, database: Database) -> None:
        self.database = database

    def acquire(self, name: str, *, holder: str, seconds: float) -> Lease | None:
        """The lease for `holder` (new, taken over after expiry, or extended), or None when
        another holder has it."""
        if seconds <= 0:
            raise ValueError("a lease lasts more than 0 seconds")
        table = LEASES
        with self.database.transaction() as session:
            row = session.execute(
                sa.update(table)
                .where(table.c.name == name,
                       sa.or_(table.c.expires_at <= db_now(), table.c.holder == holder))
                .values(token=sa.case((table.c.holder == holder, table.c.token),
                                      else_=table.c.token + 1),
                        holder=holder, expires_at=db_now() + seconds)
                .returning(table.c.token, table.c.expires_at)).first()
            if row is not None:
                return Lease(name, holder, int(row.token), float(row.expires_at), seconds)
            if session.get(LeaseRow, name) is not None:
                return None
            try:
                with session.begin_nested():
                    row = session.execute(
                        sa.insert(table).values(name=name, holder=holder, token=1,
                                                expires_at=db_now() + seconds)
                        .returning(table.c.token, table.c.expires_at)).one()
            except sa.exc.IntegrityError:
                return None  # another holder made the row first
            return Lease(name, holder, int(row.token), float(row.expires_at), seconds)

    def renew(self, lease: Lease) -> Lease | None:
        """The same lease with a new expiry, or None when it expired or changed hands."""
        table = LEASES
        with self.database.transaction() as session:
            row = session.execute(
                sa.update(table)
                .where(table.c.name == lease.name, table.c.holder == lease.holder,
                       table.c.token == lease.token, table.c.expires_at > db_now())
                .values(expires_at=db_now() + lease.seconds)
                .returning(table.c.expires_at)).first()
        if row is None:
            return None
        return Lease(lease.name, lease.holder, lease.token, float(row.expires_at), lease.seconds)

    def release(self, lease: Lease) -> None:
        """Give the lease up now (it stays with its token; the next holder gets token + 1)."""
        table = LEASES
        with self.database.transaction() as session:
            session.execute(
                sa.update(table)
                .where(table.c.name == lease.name, table.c.holder == lease.holder,
                       table.c.token == lease.token)
                .values(expires_at=db_now() - 1))

    def current(self, name: str) -> Lease | None:
        """The live lease of that name, whoever holds it."""
        table = LEASES
        with self.database.read() as session:
            row = session.execute(sa.select(table).where(
                table.c.name == name, table.c.expires_at > db_now())).first()
        if row is None:
            return None
        return Lease(row.name, row.holder, int(row.token), float(row.expires_at), 0)

    def is_current(self, session: sa.orm.Session, lease: Lease) -> bool:
        """Inside the caller's transaction: does `lease` still hold? (a fencing check to make
        together with the writes it guards)."""
        table = LEASES
        return session.execute(sa.select(table.c.token).where(
            table.c.name == lease.name, table.c.holder == lease.holder,
            table.c.token == lease.token, table.c.expires_at > db_now())).first() is not None

    @contextmanager
    def kept(self, lease: Lease, *, every: float | None = None) -> Iterator[Kept]:
        """Renew `lease` every `every` seconds (a third of its length) while the block runs;
        release it at the end."""
        kept = Kept(lease)
        done = threading.Event()
        interval = every if every is not None else max(lease.seconds / 3, 0.05)

        def renew() -> None:
            while not done.wait(interval):
                try:
                    renewed = self.renew(kept.lease)
                except Exception as exc:  # a database outage: try again until the lease ends
                    log.warning("lease not renewed", extra={"lease": lease.name, "error": str(exc)})
                    continue
                if renewed is None:
                    log.warning("lease lost", extra={"lease": lease.name, "holder": lease.holder})
                    kept.lost.set()
                    return
                kept.lease = renewed

        thread = threading.Thread(target=renew, name=f"lease-{lease.name}"[:60], daemon=True)
        thread.start()
        try:
            yield kept
        finally:
            done.set()
            thread.join()
            if not kept.lost.is_set():
                try:
                    self.release(kept.lease)
                except Exception as exc:  # it expires by itself
                    log.warning("lease not released", extra={"lease": lease.name, "error": str(exc)})
