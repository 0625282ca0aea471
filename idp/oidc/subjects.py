"""Subject identifiers (OIDC Core 1.0 section 8), in one home: which kind a client gets, the
`sub` itself, and the index from an agency's `sub` back to the citizen.

Pairwise by default, public on request: a public `sub` is the citizen's random internal UUID
(never the national ID), given only to clients an operator registered so. A pairwise `sub` is
HMAC-SHA256(pairwise key, sector || 0x00 || citizen id), base64url: two agencies in different
sectors cannot correlate a citizen by `sub`, and it is stable for as long as the provider's
secret is. The sector is the client's (`clients.registry.sector_of`), fixed at its first grant.

The code exchange records the pairwise `sub` of each grant (`record`, in the grant's own
transaction), so an agency's `subject` (the documents API) resolves with one primary-key read
(`resolve`). Grants made before the index existed are indexed once per sector, on the first
subject of that sector that is not found. Index rows are only ever deleted with their citizen.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clients.registry import Client, sector_of
from idp.citizens.models import Citizen
from idp.oidc.models import Grant, IndexedSector, SubjectIndex
from infra.jose import b64url


class Provider(Protocol):
    """What subjects need of the provider (`idp.oidc.services.Provider`): its pairwise key."""

    @property
    def pairwise_key(self) -> bytes: ...  # read-only: the provider is a frozen dataclass


def pairwise(*, key: bytes, sector: str, citizen_id: str) -> str:
    """OIDC Core 1.0 section 8.1: a pairwise pseudonymous identifier for one sector."""
    kept = (key, sector, citizen_id)
    sub = _PAIRWISE.get(kept)
    if sub is None:
        sub = _pairwise(key, sector, citizen_id)
        if len(_PAIRWISE) >= PAIRWISE_KEPT:
            _PAIRWISE.clear()
        _PAIRWISE[kept] = sub
    return sub


def _pairwise(key: bytes, sector: str, citizen_id: str) -> str:
    message = sector.lower().encode("utf-8") + b"\x00" + citizen_id.encode("ascii")
    mac = _keyed(key).copy()  # HMAC-SHA256 as before, its keyed state made once per key (issue 16)
    mac.update(message)
    return b64url(mac.digest())


# (key, sector, citizen id) -> its pairwise `sub`, per process: a function of its inputs only,
# computed once per citizen and sector instead of on every /token and UserInfo (issue 16). The
# key is part of the cache key, so a provider built with another pairwise key never reads an
# entry of the old one. Bounded: emptied when full.
_PAIRWISE: dict[tuple[bytes, str, str], str] = {}
PAIRWISE_KEPT = 50_000


@lru_cache(maxsize=8)
def _keyed(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod=hashlib.sha256)


def subject(*, subject_type: Literal["pairwise", "public"] | str, key: bytes, sector: str,
            citizen_id: str) -> str:
    """The `sub` a client of `subject_type` sees for this citizen."""
    if subject_type == "public":
        return citizen_id
    return pairwise(key=key, sector=sector, citizen_id=citizen_id)


def subject_type(client: Client, metadata: Mapping[str, Any] | None = None) -> Literal["pairwise", "public"]:
    """OIDC Core 1.0 section 8: public only for clients an operator registered so (`metadata`:
    the client's, when the caller read it already: a mapped attribute costs a Python call)."""
    wanted = (client.client_metadata if metadata is None else metadata).get("subject_type", "pairwise")
    return "public" if wanted == "public" and client.operator_registered else "pairwise"


def subject_for(provider: Provider, client: Client, citizen_id: str, *, sector: str | None = None,
                kind: str | None = None) -> str:
    """The `sub` `client` sees for the citizen (`sector`: the one just fixed, when the caller
    fixed it; `kind`: `subject_type(client)`, when the caller has it)."""
    return subject(subject_type=kind or subject_type(client), key=provider.pairwise_key,
                   sector=sector or sector_of(client), citizen_id=citizen_id)


def session_id(*, key: bytes, client_id: str, sid: str) -> str:
    """The `sid` one agency sees for the SSO session `sid` (ID tokens, logout tokens, its
    id_token_hint): its own, as its `sub` is (section 8), so that agencies cannot correlate a
    citizen by the one session they share; stable for the session. Back-Channel Logout 1.0
    section 2.4: "a Session of a User Agent or device for a logged-in End-User at an RP"."""
    kept = (key, client_id, sid)
    found = _SESSION_IDS.get(kept)
    if found is None:
        mac = _keyed(key).copy()
        mac.update(b"sid\x00" + client_id.encode("utf-8", "surrogatepass") + b"\x00" + sid.encode("utf-8"))
        found = b64url(mac.digest()[:16])
        if len(_SESSION_IDS) >= PAIRWISE_KEPT:
            _SESSION_IDS.clear()
        _SESSION_IDS[kept] = found
    return found


# (key, client id, sid) -> `session_id`, per process (bounded like `_PAIRWISE`).
_SESSION_IDS: dict[tuple[bytes, str, str], str] = {}


def _build_index_insert(dialect: str) -> sa.Insert:
    from sqlalchemy.dialects import postgresql, sqlite

    # RETURNING counts what was inserted on both databases (psycopg 3 reports a rowcount of -1).
    if dialect == "postgresql":
        return postgresql.insert(SubjectIndex).on_conflict_do_nothing().returning(SubjectIndex.sector)
    return sqlite.insert(SubjectIndex).on_conflict_do_nothing().returning(SubjectIndex.sector)


# Built once per dialect: one row binds only its values (the code exchange's path).
_INDEX_INSERTS = {dialect: _build_index_insert(dialect) for dialect in ("postgresql", "sqlite")}


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, object]]) -> int:
    """Insert, skipping rows already there; how many were inserted."""
    if not rows:
        return 0
    connection = session.connection()
    dialect = connection.dialect.name
    statement = _INDEX_INSERTS[dialect] if dialect in _INDEX_INSERTS else _build_index_insert(dialect)
    if len(rows) == 1:
        return len(connection.execute(statement, rows[0]).all())
    return len(connection.execute(statement.values(rows)).all())


# (sector, citizen_id) pairs known to be in the index (committed), per process.
_KNOWN: set[tuple[str, uuid.UUID]] = set()
KNOWN_MAX = 100_000


def record(session: Session, provider: Provider, *, client: Client, sector: str,
           citizen_id: uuid.UUID) -> None:
    """Index the pairwise `sub` `client` sees for the citizen, in the transaction that makes
    the grant (the code exchange calls this). A pair the database has shown to be indexed
    already (an insert that found the row: a committed row) is not inserted again."""
    if subject_type(client) != "pairwise":
        return
    pair = (sector.lower(), citizen_id)
    if pair in _KNOWN:
        return
    sub = pairwise(key=provider.pairwise_key, sector=sector, citizen_id=str(citizen_id))
    if _insert_ignoring_duplicates(session, [{"sector": pair[0], "subject": sub, "citizen_id": citizen_id}]) == 0:
        if len(_KNOWN) >= KNOWN_MAX:
            _KNOWN.clear()
        _KNOWN.add(pair)


def recorded(client: Client, sector: str, citizen_id: uuid.UUID, *, kind: str | None = None) -> bool:
    """Whether `record` has nothing to write for this pair: the client's subjects are not
    pairwise, or the pair was shown to be indexed already (`kind`: as `subject_for`'s)."""
    return (kind or subject_type(client)) != "pairwise" or (sector.lower(), citizen_id) in _KNOWN


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
        found: uuid.UUID | None = session.scalar(sa.select(Citizen.id).where(Citizen.id == citizen_id))
        return found
    sector = sector_of(client).lower()
    found = _lookup(session, sector, subject)
    if found is None and session.get(IndexedSector, sector) is None:
        index_sector(session, provider, sector=sector)
        found = _lookup(session, sector, subject)
    return found


def _lookup(session: Session, sector: str, subject: str) -> uuid.UUID | None:
    found: uuid.UUID | None = session.scalar(
        sa.select(SubjectIndex.citizen_id).where(SubjectIndex.sector == sector, SubjectIndex.subject == subject))
    return found


def index_sector(session: Session, provider: Provider, *, sector: str) -> int:
    """Index every citizen with a grant for a client of `sector` (once per sector)."""
    clients = [c.client_id for c in session.scalars(sa.select(Client))
               if subject_type(c) == "pairwise" and sector_of(c).lower() == sector]
    rows: list[dict[str, object]] = []
    if clients:
        citizens = session.scalars(sa.select(Grant.citizen_id).distinct().where(Grant.client_id.in_(clients)))
        rows = [{"sector": sector, "citizen_id": citizen_id,
                 "subject": pairwise(key=provider.pairwise_key, sector=sector, citizen_id=str(citizen_id))}
                for citizen_id in citizens]
    for start in range(0, len(rows), 1000):
        _insert_ignoring_duplicates(session, rows[start:start + 1000])
    session.merge(IndexedSector(sector=sector, indexed_at=datetime.now(UTC)))
    session.flush()
    return len(rows)
