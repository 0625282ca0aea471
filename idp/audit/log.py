"""Appending to the data-sharing log, and signing checkpoints of its head.

An append is one INSERT of a *pending* entry in the caller's transaction (or in a group commit
the caller waits for, `pending_entry` and `infra.group_commit`): it commits or rolls back with
the release it records, takes no lock and reads nothing, so releases in any number
of workers never wait for each other. The sealer (`idp.audit.seal`) then gives pending
entries their sequence number, previous hash and hash, in batches, under the chain-head row
lock, and signs checkpoints at the configured interval. Readers that need the whole chain
(`cedula audit verify`, `seal.checkpoint`, a citizen's download) seal first.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast

import sqlalchemy as sa
from flask import Flask, has_app_context
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from idp.audit.chain import EVENTS, GENESIS, LEGAL_BASES, _body_json, entry_mac, timestamp
from idp.audit.errors import AuditError, ChainBroken
from idp.audit.log_key import LogKeys
from idp.audit.models import AUDIT_ENTRIES, AuditEntry, ChainHead, Checkpoint
from idp.audit.settings import AuditPolicy
from infra.components import Slot
from infra.group_commit import Write
from infra.utc import as_utc

HEAD_ID = 1
ENTRY_KEY_PURPOSE = "audit-entry-mac"  # `infra.secrets` purpose of `AuditLog.entry_key`
CHECKPOINT_TYP = "audit-checkpoint+jwt"


class CheckpointSigner(Protocol):
    def prepare(self, *, alg: str) -> None:
        """Make sure a signing key exists (before any lock is held: a first key is created in
        a transaction of its own, which SQLite would make wait for ours)."""
        ...

    def sign(self, claims: Mapping[str, Any], *, alg: str) -> tuple[str, str, dict[str, Any]]:
        """A compact JWS over `claims`, its kid and the public JWK that verifies it."""
        ...


class LogKeySigner:
    """Signs checkpoints with the log's own key (`idp.audit.log_key`), never an OIDC key: a
    rotation of the provider's keys never leaves a checkpoint without its key."""

    def __init__(self, keys: LogKeys) -> None:
        self.keys = keys

    def prepare(self, *, alg: str) -> None:
        self.keys.current()

    def sign(self, claims: Mapping[str, Any], *, alg: str) -> tuple[str, str, dict[str, Any]]:
        return self.keys.sign(claims, typ=CHECKPOINT_TYP)


@dataclass(frozen=True)
class AuditLog:
    """What appends need, built once at start."""

    policy: AuditPolicy
    signer: CheckpointSigner
    entry_key: bytes  # the key of entries' MACs (`idp.audit.chain.entry_mac`), from the server secret


@dataclass(frozen=True)
class Appended:
    """A recorded entry; it is pending until the sealer gives it its `seq` and hash."""

    at: datetime
    event: str


def _ref(value: str | uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


AUDIT_LOG: Slot[AuditLog] = Slot("data-sharing log")


def audit_log(app: Flask | None = None) -> AuditLog:
    """The data-sharing log's policy and signer (default: of the current application)."""
    return AUDIT_LOG.of(app)


def _current_log() -> AuditLog:
    return audit_log()


@dataclass(frozen=True)
class _Head:
    seq: int
    hash: str
    checkpoint_seq: int
    checkpoint_at: datetime | None


_HEADS = cast(sa.Table, ChainHead.__table__)
# Built once, run on the session's connection (Core: the ORM's DML path cost twice the rest of
# the sealing transaction's fixed cost).
_LOCK_HEAD = (sa.update(_HEADS).where(_HEADS.c.id == HEAD_ID).values(seq=_HEADS.c.seq)
              .returning(_HEADS.c.seq, _HEADS.c.hash, _HEADS.c.checkpoint_seq, _HEADS.c.checkpoint_at))


def lock_head(session: Session) -> _Head:
    """Lock the chain head for the rest of the transaction (PostgreSQL's row lock, SQLite's
    write lock: one statement, no read before it), creating it on a fresh database."""
    for _attempt in range(2):
        row = session.connection().execute(_LOCK_HEAD).first()
        if row is not None:
            return _Head(int(row.seq), str(row.hash), int(row.checkpoint_seq), as_utc(row.checkpoint_at))
        if session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                          .where(AuditEntry.seq.is_not(None))):
            raise ChainBroken("the chain head row is missing while sealed entries exist; "
                              "run `cedula audit verify`")
        try:
            with session.begin_nested():
                session.add(ChainHead(id=HEAD_ID, seq=0, hash=GENESIS, checkpoint_seq=0,
                                      checkpoint_at=None))
        except IntegrityError:
            pass  # another worker made it first: lock it on the next attempt
    raise ChainBroken("the chain head could not be created")


# Built once: the request path only binds values (no statement construction per call).
_INSERT = sa.insert(AUDIT_ENTRIES)


def _entry_key(log: AuditLog | None) -> bytes | None:
    """The MAC key of `log`, else of the current application's log; None outside any
    application (a test that writes rows directly): such an entry is never sealed."""
    if log is not None:
        return log.entry_key
    return AUDIT_LOG.of().entry_key if has_app_context() else None


def pending_entry(*, event: str, citizen_id: str | uuid.UUID | None, client_id: str | None = None,
                  claims: Iterable[str] = (), purpose: str | None = None, legal_basis: str = "consent",
                  law: str | None = None, reference: str | None = None,
                  now: datetime | None = None, log: AuditLog | None = None) -> tuple[Write, Appended]:
    """The INSERT of one pending entry, checked, for a transaction of the caller's choosing:
    its own (`append`) or a group commit that it waits for (`infra.group_commit`). The entry
    carries the MAC of its body (`idp.audit.chain.entry_mac`, under the log's entry key)."""
    values, appended = pending_values(event=event, citizen_id=citizen_id, client_id=client_id, claims=claims,
                                      purpose=purpose, legal_basis=legal_basis, law=law, reference=reference,
                                      now=now, log=log)
    return Write(_INSERT, values), appended


def pending_values(*, event: str, citizen_id: str | uuid.UUID | None, client_id: str | None = None,
                   claims: Iterable[str] = (), purpose: str | None = None, legal_basis: str = "consent",
                   law: str | None = None, reference: str | None = None,
                   now: datetime | None = None, log: AuditLog | None = None) -> tuple[dict[str, Any], Appended]:
    """`pending_entry`'s values (a new dict, the caller's), for a statement of the caller's that
    writes them as the entry's row (a conditional INSERT: `idp.consent.services.release_writes`,
    which would otherwise copy them out of a `Write` made for nothing, issue 16)."""
    if event not in EVENTS:
        raise AuditError(f"event must be one of {', '.join(EVENTS)}, got {event!r}")
    if legal_basis not in LEGAL_BASES:
        raise AuditError(f"legal_basis must be consent or law, got {legal_basis!r}")
    if legal_basis == "law" and not law:
        raise AuditError("legal_basis law needs the text of the law")
    # The row of the entry's `Body` (`AuditEntry.body` reads it back), built directly.
    moment = as_utc(now) or datetime.now(UTC)
    citizen, kept_purpose = _ref(citizen_id), (purpose or None) and purpose[:500]
    # `normalise_claims`, as a list (the row's), without its tuple.
    kept_law, names = law if legal_basis == "law" else None, sorted({*map(str, claims)})
    key = _entry_key(log)
    mac = None if key is None else entry_mac(key, _body_json(
        timestamp(moment), event, citizen, client_id, kept_purpose, legal_basis, kept_law, names, reference))
    # A column whose value is None is left out of the INSERT: none of them has a default, so it
    # is NULL all the same, and the driver is not handed a None (SQLite's adapts each through a
    # failed adapter look-up, two attribute searches: about 1% of a UserInfo request, issue 16).
    values: dict[str, Any] = {"at": moment, "event": event}
    if citizen is not None:
        values["citizen_ref"] = citizen
    if client_id is not None:
        values["client_id"] = client_id
    if kept_purpose is not None:
        values["purpose"] = kept_purpose
    values["legal_basis"] = legal_basis
    if kept_law is not None:
        values["law"] = kept_law
    values["claims"] = names
    if reference is not None:
        values["reference"] = reference
    if mac is not None:
        values["mac"] = mac
    return values, Appended(at=moment, event=event)


def append(session: Session, *, event: str, citizen_id: str | uuid.UUID | None,
           client_id: str | None = None, claims: Iterable[str] = (), purpose: str | None = None,
           legal_basis: str = "consent", law: str | None = None, reference: str | None = None,
           now: datetime | None = None, log: AuditLog | None = None) -> Appended:
    """Append one entry inside the caller's transaction (it commits or rolls back with it).

    `claims` are claim *names*; `reference` an opaque id (document, signature, consent), never
    personal data. The entry is pending until the sealer chains it (within `[audit]
    seal_seconds`, or when a reader seals); checkpoints are signed by the sealer.
    """
    write, appended = pending_entry(event=event, citizen_id=citizen_id, client_id=client_id, claims=claims,
                                    purpose=purpose, legal_basis=legal_basis, law=law, reference=reference,
                                    now=now, log=log)
    session.connection().execute(write.statement, write.values)
    return appended


def prepare(log: AuditLog | None = None) -> None:
    """Create the checkpoint signing key now if there is none. Appends never sign; the sealer
    and `checkpoint` prepare for themselves (this stays for callers that warm the key up)."""
    log = log or _current_log()
    log.signer.prepare(alg=log.policy.checkpoint_alg)


_CHECKPOINTS = cast(sa.Table, Checkpoint.__table__)
# Built once, run on the session's connection (no unit of work: a checkpoint is one INSERT).
_PREVIOUS_JWS = (sa.select(_CHECKPOINTS.c.jws).where(_CHECKPOINTS.c.seq < sa.bindparam("before"))
                 .order_by(_CHECKPOINTS.c.seq.desc()).limit(1))
_INSERT_CHECKPOINT = sa.insert(_CHECKPOINTS)
_HEAD_CHECKPOINTED = (sa.update(_HEADS).where(_HEADS.c.id == HEAD_ID)
                      .values(checkpoint_seq=sa.bindparam("c_seq"), checkpoint_at=sa.bindparam("c_at")))


def _previous_checkpoint(session: Session, before: int) -> str | None:
    """The JWS of the newest checkpoint before entry `before`, or None."""
    jws = session.connection().execute(_PREVIOUS_JWS, {"before": before}).scalar()
    return None if jws is None else str(jws)


def checkpoint_digest(jws: str) -> str:
    return hashlib.sha256(jws.encode("ascii")).hexdigest()


def sign_checkpoint(session: Session, log: AuditLog, *, seq: int, head_hash: str,
                    now: datetime, previous: str | None = None) -> str:
    """Sign a checkpoint of entry `seq`, whose hash is `head_hash` (the caller holds the head
    lock); its JWS. `previous`: the JWS of the checkpoint just before it, when the caller signed
    that one in this transaction (None: it is read)."""
    if previous is None:
        previous = _previous_checkpoint(session, seq)
    # `entry_macs`: every entry sealed after this checkpoint carries its MAC (`cedula audit
    # verify` then refuses one without), so stripping MACs does not pass for an older log.
    claims = {"iss": log.policy.issuer, "iat": int(now.timestamp()), "seq": seq,
              "head_hash": head_hash, "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "prev": checkpoint_digest(previous) if previous else GENESIS, "entry_macs": True}
    token, kid, jwk = log.signer.sign(claims, alg=log.policy.checkpoint_alg)
    connection = session.connection()
    connection.execute(_INSERT_CHECKPOINT, {"seq": seq, "head_hash": head_hash, "at": now, "prev": claims["prev"],
                                            "jws": token, "kid": kid, "jwk": jwk})
    connection.execute(_HEAD_CHECKPOINTED, {"c_seq": seq, "c_at": now})
    return token
