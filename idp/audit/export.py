"""A citizen's own log, with what is needed to check it offline, and the offline check.

The document holds the citizen's entries in full, the signed checkpoints around them, and for
each stretch of the chain between two checkpoints the sequence numbers and body hashes of every
entry in it (other people's entries appear only as digests). Anyone can recompute the chain
across each stretch and compare it with the signed head hashes (`verify_bundle`, or
`cedula audit verify --file`).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.audit.chain import GENESIS, body_hash, link_hash, timestamp
from idp.audit.errors import AuditError
from idp.audit.models import AuditEntry, Checkpoint, LogKey
from idp.audit.verify import check_checkpoint_jws

FORMAT = "cedula-data-sharing-log/1"
HASHING = ("body_hash = SHA-256(canonical JSON of body); hash = SHA-256(canonical JSON of "
           '{"seq": seq, "prev": previous hash, "body": body_hash}); canonical JSON: sorted keys, '
           'no whitespace, UTF-8; the first entry\'s previous hash is 64 zeros. Checkpoints are '
           "JWS (ES256/RS256) over {seq, head_hash, time, prev} signed by the log's own key; kid is "
           "the RFC 7638 thumbprint of the key; every log key the provider ever had is published at "
           "<issuer>/audit/log-keys.json (and listed in log_keys here): keep a copy.")


def entry_json(row: AuditEntry) -> dict[str, Any]:
    return {"seq": row.seq, "prev_hash": row.prev_hash, "hash": row.hash, "body": row.body().to_json()}


def _of_citizen(citizen_id: str | uuid.UUID) -> sa.ColumnElement[bool]:
    """A citizen's entries, each half through its partial index: sealed ones by (citizen_ref,
    seq), pending ones (few: the sealer's backlog) by the pending index. SQLite takes an index
    per arm of an OR only when each arm names one: hence the pending ids spelt out."""
    ref = str(citizen_id)
    pending = sa.orm.aliased(AuditEntry)
    return sa.or_(sa.and_(AuditEntry.citizen_ref == ref, AuditEntry.seq.is_not(None)),
                  sa.and_(AuditEntry.citizen_ref == ref, AuditEntry.seq.is_(None),
                          AuditEntry.id.in_(sa.select(pending.id).where(pending.seq.is_(None)))))


def citizen_entries(session: Session, citizen_id: str | uuid.UUID, *, offset: int = 0,
                    limit: int | None = None, newest_first: bool = False,
                    sealed_only: bool = False) -> list[AuditEntry]:
    """One citizen's entries, in chain order; entries not sealed yet come last, in insertion
    order (index on citizen_ref, seq for sealed entries)."""
    pending = AuditEntry.seq.is_(None)
    if sealed_only:
        query = sa.select(AuditEntry).where(AuditEntry.citizen_ref == str(citizen_id), AuditEntry.seq.is_not(None))
    else:
        query = sa.select(AuditEntry).where(_of_citizen(citizen_id))
    if newest_first:
        query = query.order_by(pending.desc(), AuditEntry.seq.desc(), AuditEntry.id.desc())
    else:
        query = query.order_by(pending, AuditEntry.seq, AuditEntry.id)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_entries(session: Session, citizen_id: str | uuid.UUID) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                              .where(_of_citizen(citizen_id))) or 0)


def needs_checkpoint(session: Session, citizen_id: str | uuid.UUID) -> bool:
    """True when the citizen has entries not sealed yet, or sealed after the newest signed
    checkpoint."""
    if session.scalar(sa.select(AuditEntry.id).where(AuditEntry.citizen_ref == str(citizen_id),
                                                     AuditEntry.seq.is_(None)).limit(1)) is not None:
        return True
    newest = session.scalar(sa.select(sa.func.max(AuditEntry.seq))
                            .where(AuditEntry.citizen_ref == str(citizen_id), AuditEntry.seq.is_not(None)))
    if newest is None:
        return False
    return newest > (session.scalar(sa.select(sa.func.max(Checkpoint.seq))) or 0)


def _bounds(session: Session, seq: int) -> tuple[Checkpoint | None, Checkpoint | None]:
    before = session.scalars(sa.select(Checkpoint).where(Checkpoint.seq < seq)
                             .order_by(Checkpoint.seq.desc()).limit(1)).first()
    after = session.scalars(sa.select(Checkpoint).where(Checkpoint.seq >= seq)
                            .order_by(Checkpoint.seq).limit(1)).first()
    return before, after


def citizen_bundle(session: Session, *, citizen_id: str | uuid.UUID, issuer: str,
                   now: datetime | None = None) -> dict[str, Any]:
    """The citizen's log as JSON, checkable offline (call `log.checkpoint` first so that the
    newest entries are sealed and covered by a signed checkpoint; entries committed since are
    left out, to appear in the next download)."""
    entries = citizen_entries(session, citizen_id, sealed_only=True)
    checkpoints: dict[int, Checkpoint] = {}
    stretches: list[tuple[int, int]] = []  # (after checkpoint seq or 0, until checkpoint seq)
    uncovered: list[int] = []
    for row in entries:
        seq = row.seq
        if seq is None:  # not sealed: `sealed_only` read none
            continue
        if stretches and stretches[-1][0] < seq <= stretches[-1][1]:
            continue
        before, after = _bounds(session, seq)
        if after is None:
            uncovered.append(seq)
            continue
        if before is not None:
            checkpoints[before.seq] = before
        checkpoints[after.seq] = after
        stretches.append((before.seq if before else 0, after.seq))
    segments = []
    for low, high in stretches:
        rows = session.scalars(sa.select(AuditEntry).where(AuditEntry.seq > low, AuditEntry.seq <= high)
                               .order_by(AuditEntry.seq).execution_options(yield_per=1000))
        segments.append({"after": low, "until": high,
                         "digests": [[r.seq, body_hash(r.body().to_json())] for r in rows]})
    return {
        "format": FORMAT,
        "issuer": issuer,
        "citizen": str(citizen_id),
        "generated_at": timestamp(now or datetime.now(UTC)),
        "hashing": HASHING,
        "entries": [entry_json(row) for row in entries],
        "segments": segments,
        "checkpoints": [{"seq": c.seq, "head_hash": c.head_hash, "kid": c.kid, "jwk": c.jwk, "jws": c.jws}
                        for c in sorted(checkpoints.values(), key=lambda c: c.seq)],
        "not_yet_checkpointed": uncovered,
        "log_keys": [{"seq": k.seq, "kid": k.kid, "jwk": dict(k.jwk), "endorsement": k.endorsement}
                     for k in session.scalars(sa.select(LogKey).order_by(LogKey.seq))],
    }


def verify_bundle(document: Mapping[str, Any], *, trusted: Mapping[str, Mapping[str, Any]]) -> int:
    """Check an exported log offline; the number of the citizen's entries proven. AuditError
    names the first entry or checkpoint that does not check out. `trusted`: the log keys the
    verifier trusts, by kid (the provider's `/audit/log-keys.json` as the verifier kept it, or
    `idp.audit.trusted_keys` on the provider): the document's own list is never trusted."""
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        raise AuditError(f"not a {FORMAT} document")
    try:
        checkpoints = {int(c["seq"]): c for c in document["checkpoints"]}
        own = {int(e["seq"]): e for e in document["entries"]}
        segments = list(document["segments"])
    except (KeyError, TypeError, ValueError, OverflowError):  # OverflowError: int(1e400)
        raise AuditError("the document lacks checkpoints, entries or segments") from None
    if len(own) != len(document["entries"]):  # a forged copy beside the genuine entry
        twice = next(seq for seq, times in Counter(int(e["seq"]) for e in document["entries"]).items()
                     if times > 1)
        raise AuditError(f"entry {twice} appears twice in the document: one of them is not the log's")
    for seq, entry in own.items():  # another citizen's genuine entry checks against the chain too
        if not isinstance(entry, Mapping) or not isinstance(entry.get("body"), Mapping) \
                or entry["body"].get("citizen") != document.get("citizen"):
            raise AuditError(f"entry {seq} is not about this citizen: the document holds someone else's entry")
    for seq, cp in checkpoints.items():
        key = trusted.get(str(cp.get("kid")))
        if key is None:
            raise AuditError(f"checkpoint at entry {seq} is signed by a key that is not one of the log's keys")
        try:
            claims = check_checkpoint_jws(cp["jws"], key, kid=cp["kid"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AuditError(f"checkpoint at entry {seq} is not valid: {exc}") from None
        if claims.get("seq") != seq or claims.get("head_hash") != cp.get("head_hash"):
            raise AuditError(f"checkpoint at entry {seq} does not say what the document says")
    try:
        proven: set[int] = set()
        for segment in segments:
            low, high = int(segment["after"]), int(segment["until"])
            prev = GENESIS if low == 0 else checkpoints.get(low, {}).get("head_hash")
            if prev is None or high not in checkpoints:
                raise AuditError(f"the stretch {low + 1}-{high} has no signed checkpoint at its ends")
            expected = low + 1
            for seq, digest in segment["digests"]:
                if seq != expected:
                    raise AuditError(f"entry {expected} is missing from the stretch {low + 1}-{high}")
                entry = own.get(seq)
                if entry is not None:
                    if body_hash(entry["body"]) != digest:
                        raise AuditError(f"entry {seq} was altered: its content does not match the chain")
                    if entry["prev_hash"] != prev:
                        raise AuditError(f"entry {seq} does not follow entry {seq - 1}")
                prev = link_hash(seq=seq, prev=prev, body_digest=digest)
                if entry is not None:
                    if entry["hash"] != prev:
                        raise AuditError(f"entry {seq} does not have the hash the chain gives it")
                    proven.add(seq)
                expected += 1
            if expected - 1 != high or prev != checkpoints[high]["head_hash"]:
                raise AuditError(f"the stretch {low + 1}-{high} does not lead to the signed checkpoint "
                                 f"at entry {high}: an entry in it was altered, removed or reordered")
        unproven = sorted(set(own) - proven - set(document.get("not_yet_checkpointed", [])))
        if unproven:
            raise AuditError(f"entry {unproven[0]} is not covered by any stretch of the chain")
        return len(proven)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise AuditError(f"the document is not a well-formed data-sharing log ({type(exc).__name__}: {exc}); "
                         "download it again from the provider") from None
