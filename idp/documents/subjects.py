"""From the `subject` an agency sends to the citizen it means, for THAT agency's client.

OIDC Core 1.0 section 8: a client sees either the citizen's public id (only clients an operator
allowed) or a pairwise `sub` for its sector. Pairwise subjects are recorded in the subject
index when a grant is made (`record_grant`, a mapper hook on `Grant`, in the grant's own
transaction), so resolving one is a primary-key read. Grants made before the index existed
are indexed once per sector, on the first subject of that sector that is not found.

The hook is on the token endpoint's path, so it does as little as it can: the client comes
from the provider's client cache (the token endpoint has just authenticated it), and a
(sector, citizen) pair the database has shown to be indexed already - an insert that found
the row there, which on both databases means a committed row - is remembered by the process
and not inserted again. Index rows are only ever deleted with their citizen.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from clients.registry import Client, sector_of
from idp.citizens.models import Citizen
from idp.documents.models import IndexedSector, SubjectIndex
from idp.oidc import PROVIDER, subjects
from idp.oidc.models import Grant
from idp.oidc.services import Provider


@dataclass(frozen=True)
class _ClientView:
    """The registration fields subjects depend on, read without the ORM (inside a flush)."""

    client_id: str
    client_metadata: dict
    operator_registered: bool
    sector: str | None = None  # fixed at the first grant (clients.registry.freeze_sector)


def subject_type(client: Client | _ClientView) -> str:
    """The same rule as `idp.oidc.services.subject_for`: public only if an operator allowed it."""
    wanted = client.client_metadata.get("subject_type", "pairwise")
    return "public" if wanted == "public" and client.operator_registered else "pairwise"


def _insert_ignoring_duplicates(connection: Connection | Session, rows: list[dict]) -> int:
    """Insert, skipping rows already there; how many were inserted."""
    if not rows:
        return 0
    dialect = (connection.get_bind() if isinstance(connection, Session) else connection).dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # RETURNING counts what was inserted on both databases: psycopg 3 reports a rowcount of -1
    # here, which read as "inserted" made every token request on PostgreSQL insert again.
    statement = (insert(SubjectIndex.__table__).values(rows).on_conflict_do_nothing()
                 .returning(SubjectIndex.__table__.c.sector))
    return len(connection.execute(statement).all())


# (sector, citizen_id) pairs known to be in the index (committed), per process.
_KNOWN: set[tuple[str, uuid.UUID]] = set()
KNOWN_MAX = 100_000


def _client_view(provider: Provider, connection: Connection, client_id: str) -> Client | _ClientView | None:
    cached = provider.clients.peek(client_id)
    if cached is not None:
        return cached
    row = connection.execute(
        sa.select(Client.client_id, Client.client_metadata, Client.operator_registered, Client.sector)
        .where(Client.client_id == client_id)).first()
    if row is None:
        return None
    return _ClientView(client_id=row[0], client_metadata=row[1] or {}, operator_registered=bool(row[2]),
                       sector=row[3])


def record_grant(_mapper, connection: Connection, grant: Grant) -> None:
    """After a grant is inserted: index the pairwise `sub` its client sees (same transaction)."""
    if not has_app_context() or not PROVIDER.installed(current_app):
        return
    provider = PROVIDER.of()
    client = _client_view(provider, connection, grant.client_id)
    if client is None or subject_type(client) != "pairwise":
        return
    named = sector_of(client)  # type: ignore[arg-type]
    sector = named.lower()
    pair = (sector, grant.citizen_id)
    if pair in _KNOWN:
        return
    sub = subjects.pairwise(key=provider.pairwise_key, sector=named, citizen_id=str(grant.citizen_id))
    inserted = _insert_ignoring_duplicates(connection, [{"sector": sector, "subject": sub,
                                                         "citizen_id": grant.citizen_id}])
    if inserted == 0:  # the row was there, committed: no need to insert it again
        if len(_KNOWN) >= KNOWN_MAX:
            _KNOWN.clear()
        _KNOWN.add(pair)


def resolve(session: Session, provider: Provider, *, client: Client, subject: str) -> uuid.UUID | None:
    """The citizen `client` knows as `subject`, or None (one indexed read in the usual case)."""
    if not isinstance(subject, str) or not 1 <= len(subject) <= 64:
        return None
    if subject_type(client) == "public":
        try:
            citizen_id = uuid.UUID(subject)
        except ValueError:
            return None
        if str(citizen_id) != subject:
            return None
        found = session.scalar(sa.select(Citizen.id).where(Citizen.id == citizen_id))
        return found
    sector = sector_of(client).lower()
    found = _lookup(session, sector, subject)
    if found is None and session.get(IndexedSector, sector) is None:
        index_sector(session, provider, sector=sector)
        found = _lookup(session, sector, subject)
    return found


def _lookup(session: Session, sector: str, subject: str) -> uuid.UUID | None:
    return session.scalar(sa.select(SubjectIndex.citizen_id)
                          .where(SubjectIndex.sector == sector, SubjectIndex.subject == subject))


def index_sector(session: Session, provider: Provider, *, sector: str) -> int:
    """Index every citizen with a grant for a client of `sector` (once per sector)."""
    clients = [c.client_id for c in session.scalars(sa.select(Client))
               if subject_type(c) == "pairwise" and sector_of(c).lower() == sector]
    rows = []
    if clients:
        citizens = session.scalars(sa.select(Grant.citizen_id).distinct()
                                   .where(Grant.client_id.in_(clients)))
        rows = [{"sector": sector, "citizen_id": citizen_id,
                 "subject": subjects.pairwise(key=provider.pairwise_key, sector=sector,
                                              citizen_id=str(citizen_id))}
                for citizen_id in citizens]
    for start in range(0, len(rows), 1000):
        _insert_ignoring_duplicates(session, rows[start:start + 1000])
    session.merge(IndexedSector(sector=sector, indexed_at=datetime.now(UTC)))
    session.flush()
    return len(rows)


def install() -> None:
    """Index the subject of every grant made from now on (idempotent)."""
    if not sa.event.contains(Grant, "after_insert", record_grant):
        sa.event.listen(Grant, "after_insert", record_grant)
