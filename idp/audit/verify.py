"""Checking the whole data-sharing log: every entry's hash and link, and every checkpoint.

`verify_chain` walks the sealed entries in sequence order (streamed, constant memory apart from
the checkpoints) and stops at the first problem, naming the entry: altered (content no longer
matches its hash), missing (a sequence number skipped, or the newest entries gone), or out of
order (its link to the previous entry is broken). Checkpoints are JWS (RFC 7515) over
{seq, head_hash, time, prev}; each must be signed by one of the log's keys (`trusted`: the
history `idp.audit.log_key` vouches for with the key store; a key that is not one of them is
refused, however well it signs), must match the chain at its seq, and must link to the
checkpoint before it.

Entries not sealed yet (`seq` NULL, see `idp.audit.seal`) are counted as pending, not judged:
they have no place in the chain to check. A sealed entry turned back into a pending one
leaves a gap in the sequence and is reported as missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry
from sqlalchemy.orm import Session

from idp.audit.chain import GENESIS, body_hash, link_hash
from idp.audit.log import CHECKPOINT_TYP, HEAD_ID, checkpoint_digest
from idp.audit.log_key import public, verify_compact
from idp.audit.models import AuditEntry, ChainHead, Checkpoint

ALGORITHMS = ("ES256", "RS256")


@dataclass(frozen=True)
class Problem:
    """The first thing found wrong; `seq` names the entry (or the checkpoint's entry)."""

    seq: int
    kind: str  # "altered", "missing", "out_of_order", "checkpoint", "head"
    message: str


@dataclass(frozen=True)
class ChainReport:
    entries: int
    checkpoints: int
    problem: Problem | None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    pending: int = 0  # committed entries the sealer has not chained yet

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_checkpoint_jws(token: str, jwk: Mapping[str, Any], *, kid: str) -> dict[str, Any]:
    """RFC 7515 section 5.2 with the checkpoint's own key; ValueError says what is wrong."""
    try:
        key = JWKRegistry.import_key(dict(jwk))
    except (JoseError, ValueError, TypeError) as exc:
        raise ValueError(f"its key cannot be read ({exc})") from None
    if key.thumbprint() != kid:  # RFC 7638: log keys' kids are key thumbprints
        raise ValueError("its key is not the key its kid names")
    return verify_compact(token, jwk, typ=CHECKPOINT_TYP, kid=kid)


def check_checkpoint(row: Any, *, previous_jws: str | None, chain_hash: str | None,
                     trusted: Mapping[str, Mapping[str, Any]]) -> str | None:
    """What is wrong with one checkpoint, or None. `chain_hash`: the entry hash at its seq."""
    key = trusted.get(row.kid)
    if key is None:
        return (f"checkpoint at entry {row.seq} is signed by a key that is not one of the log's keys "
                f"(kid {row.kid!r}): the log was re-signed by someone else")
    if public(key) != public(row.jwk or {}):
        return f"checkpoint at entry {row.seq} names a log key but carries another"
    try:
        claims = check_checkpoint_jws(row.jws, key, kid=row.kid)
    except ValueError as exc:
        return f"checkpoint at entry {row.seq} is not valid: {exc}"
    if claims.get("seq") != row.seq or claims.get("head_hash") != row.head_hash:
        return f"checkpoint at entry {row.seq} does not say what its row says"
    expected_prev = checkpoint_digest(previous_jws) if previous_jws else GENESIS
    if claims.get("prev") != expected_prev or row.prev != expected_prev:
        return (f"checkpoint at entry {row.seq} does not follow the checkpoint before it: a "
                "checkpoint was removed, replaced or reordered")
    if chain_hash is None:
        return (f"checkpoint at entry {row.seq} covers entries that are not in the log: entries "
                f"up to {row.seq} were removed")
    if chain_hash != row.head_hash:
        return (f"checkpoint at entry {row.seq} does not match the log: an entry at or before "
                f"{row.seq} was altered and the hashes after it recomputed")
    return None


def verify_entries(rows: Iterable[Any],
                   checkpoint_seqs: set[int]) -> tuple[int, str, dict[int, str], Problem | None]:
    """Walk entries in seq order: (count, last hash, hashes at checkpoint seqs, problem)."""
    expected = 1
    prev = GENESIS
    at_checkpoints: dict[int, str] = {}
    for row in rows:
        if row.seq != expected:
            return expected - 1, prev, at_checkpoints, Problem(
                expected, "missing", f"entry {expected} is missing: the log goes from entry "
                f"{expected - 1} to entry {row.seq}")
        recomputed = link_hash(seq=row.seq, prev=row.prev_hash, body_digest=body_hash(row.body().to_json()))
        if recomputed != row.hash:
            return expected - 1, prev, at_checkpoints, Problem(
                row.seq, "altered", f"entry {row.seq} was altered or moved: its content does not "
                "match its hash")
        if row.prev_hash != prev:
            return expected - 1, prev, at_checkpoints, Problem(
                row.seq, "out_of_order", f"entry {row.seq} does not follow entry {row.seq - 1}: an "
                f"entry was removed or reordered, or entry {row.seq - 1} was altered and its hash "
                "recomputed")
        if row.seq in checkpoint_seqs:
            at_checkpoints[row.seq] = row.hash
        prev = row.hash
        expected += 1
    return expected - 1, prev, at_checkpoints, None


def verify_chain(session: Session, *, trusted: Mapping[str, Mapping[str, Any]]) -> ChainReport:
    """Check the whole log. `trusted`: the log's keys by kid (`idp.audit.trusted_keys`)."""
    checkpoints = list(session.scalars(sa.select(Checkpoint).order_by(Checkpoint.seq)))
    rows = session.scalars(sa.select(AuditEntry).where(AuditEntry.seq.is_not(None))
                           .order_by(AuditEntry.seq).execution_options(yield_per=2000))
    count, last_hash, at_checkpoints, problem = verify_entries(rows, {c.seq for c in checkpoints})
    warnings: list[str] = []
    if problem is None:
        head = session.get(ChainHead, HEAD_ID)
        if head is None and count:
            problem = Problem(count, "head", "the chain head row is missing")
        elif head is not None and head.seq > count:
            problem = Problem(count + 1, "missing", f"entry {count + 1} is missing: the chain head "
                              f"says the log has {head.seq} entries, it has {count}")
        elif head is not None and (head.seq != count or head.hash != last_hash):
            problem = Problem(count, "head", f"the chain head does not match entry {count}")
        elif head is not None and head.checkpoint_seq and \
                head.checkpoint_seq not in {c.seq for c in checkpoints}:
            problem = Problem(head.checkpoint_seq, "checkpoint",
                              f"the checkpoint at entry {head.checkpoint_seq} was removed")
    previous: str | None = None
    for row in checkpoints:
        if problem is not None and row.seq >= problem.seq:
            break
        error = check_checkpoint(row, previous_jws=previous, chain_hash=at_checkpoints.get(row.seq),
                                 trusted=trusted)
        if error is not None:
            problem = Problem(row.seq, "checkpoint", error)
            break
        previous = row.jws
    pending = int(session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.seq.is_(None))) or 0)
    return ChainReport(entries=count, checkpoints=len(checkpoints), problem=problem,
                       warnings=tuple(warnings), pending=pending)
