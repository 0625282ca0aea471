"""Checking the whole data-sharing log: every entry's hash and link, and every checkpoint.

`verify_chain` walks the sealed entries in sequence order (streamed, constant memory apart from
the checkpoints) and stops at the first problem, naming the entry: altered (content no longer
matches its hash), missing (a sequence number skipped, or the newest entries gone), or out of
order (its link to the previous entry is broken). Checkpoints are JWS (RFC 7515) over
{seq, head_hash, time, prev}; each must be signed by one of the log's keys (`trusted`: the
history `idp.audit.log_key` vouches for with the key store; a key that is not one of them is
refused, however well it signs), must match the chain at its seq, and must link to the
checkpoint before it.

Every entry carries the MAC the service wrote with it (`idp.audit.chain.entry_mac`); given the
log's entry key, the MAC of each sealed entry after the newest checkpoint is checked with its
hash (an entry altered there with every later hash recomputed is caught by it; before it, the
signed checkpoint does that), and so is each pending entry's (`seq` NULL, see
`idp.audit.seal`): one changed, inserted or stripped of its MAC in the database is named by
its id. A sealed entry turned back into a pending one leaves a gap in the
sequence and is reported as missing. What the database alone cannot show: a pending entry
deleted before it was sealed (see `idp.audit.seal`).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry
from sqlalchemy.orm import Session

from idp.audit.chain import GENESIS, body_hash, canonical, entry_mac, link_hash, timestamp
from idp.audit.kept import Kept, kept_problem
from idp.audit.log import CHECKPOINT_TYP, HEAD_ID, checkpoint_digest
from idp.audit.log_key import public, verify_compact
from idp.audit.models import AuditEntry, ChainHead, Checkpoint
from infra.jose import b64url_decode

ALGORITHMS = ("ES256", "RS256")


@dataclass(frozen=True)
class Problem:
    """The first thing found wrong; `seq` names the entry (or the checkpoint's entry); a pending
    entry (kind "pending", no seq: 0) is named by its row id, `entry_id`."""

    seq: int
    kind: str  # "altered", "missing", "out_of_order", "checkpoint", "head", "pending"
    message: str
    entry_id: int | None = None

    @property
    def advice(self) -> str:
        """What the operator does next."""
        if self.kind == "pending":
            return (f"The sealer leaves entry id {self.entry_id} pending. Compare it with your latest "
                    "backup (docs/operations.md, Backups): restore the values it had, and it is sealed at "
                    "the next run; if it is not in any backup, keep a copy of the database for the "
                    "investigation. `cedula audit accept "
                    f"{self.entry_id}` chains it as it is now, only once you know why it changed.")
        return (f"Keep a copy of this database as it is for the investigation, compare entry {self.seq} "
                "with your latest backup (docs/operations.md, Backups) and report it: the log from "
                f"entry {self.seq} on cannot be trusted.")


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


def _mac_matches(row: Any, key: bytes) -> bool:
    """Whether the entry's MAC is the one of its body now (`idp.audit.chain.entry_mac`)."""
    return isinstance(row.mac, str) and hmac.compare_digest(
        row.mac, entry_mac(key, canonical(row.body().to_json()).decode("utf-8")))


def verify_entries(rows: Iterable[Any], checkpoint_seqs: set[int], entry_key: bytes | None = None,
                   *, require_macs: bool = False) -> tuple[int, str, dict[int, str], Problem | None]:
    """Walk entries in seq order: (count, last hash, hashes at checkpoint seqs, problem).
    With `entry_key`, every entry after the newest checkpoint (what no signature vouches for
    yet) that has a MAC must match it, and once one has, every later one must have one (entries
    sealed before MACs existed have none; `require_macs`: the newest checkpoint says every entry
    after it has one). Entries a checkpoint covers are vouched for by its signature: their MACs
    are not checked, so a changed server secret leaves them verifying."""
    expected = 1
    prev = GENESIS
    at_checkpoints: dict[int, str] = {}
    macs = require_macs
    vouched = max(checkpoint_seqs, default=0)
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
        macs = macs or row.mac is not None
        if entry_key is not None and row.seq > vouched and macs:
            if not _mac_matches(row, entry_key):
                return expected - 1, prev, at_checkpoints, Problem(
                    row.seq, "altered", f"entry {row.seq} was altered: its content does not match the MAC "
                    "the service wrote with it (its hashes were recomputed to hide it)")
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


def _says_entry_macs(newest: list[Any]) -> bool:
    """Whether the newest checkpoint's JWS says the entries after it carry MACs (read before its
    signature is checked: a forged one fails that check later in `verify_chain`)."""
    if not newest:
        return False
    try:
        claims = json.loads(b64url_decode(str(newest[0].jws).split(".")[1]))
    except (IndexError, ValueError):
        return False
    return isinstance(claims, dict) and claims.get("entry_macs") is True


def pending_problem(session: Session, entry_key: bytes) -> Problem | None:
    """The first pending entry whose MAC does not match its body (changed, inserted or stripped
    of its MAC in the database after the service wrote it), or None."""
    rows = session.scalars(sa.select(AuditEntry).where(AuditEntry.seq.is_(None))
                           .order_by(AuditEntry.id).execution_options(yield_per=2000))
    for row in rows:
        if not _mac_matches(row, entry_key):
            return Problem(0, "pending", f"pending entry id {row.id} ({row.event}, written "
                           f"{timestamp(row.at)}) was changed in the database after the service wrote it, "
                           "or was never written by it: its content does not match its MAC", entry_id=row.id)
    return None


def first_unauthentic(session: Session, entry_key: bytes, *, after: int, checkpoint: Problem) -> Problem | None:
    """The first entry after entry `after` and up to the checkpoint that no longer matches the
    log (`checkpoint`) whose MAC does not match its content (or that lost it), as the first
    bad entry; None when none stands out (no entry in the stretch matches its MAC either: the
    server secret changed, and only the checkpoint can say something was altered)."""
    rows = session.scalars(sa.select(AuditEntry).where(AuditEntry.seq > after, AuditEntry.seq <= checkpoint.seq)
                           .order_by(AuditEntry.seq).execution_options(yield_per=2000))
    first: int | None = None
    authentic = False
    for row in rows:
        if row.mac is None:  # sealed before MACs existed, or stripped of it after an entry that has one
            if authentic and first is None:
                first = row.seq
        elif _mac_matches(row, entry_key):
            authentic = True
        elif first is None:
            first = row.seq
        if authentic and first is not None:
            return Problem(first, "altered", (
                f"entry {first} was altered: its content does not match the MAC the service wrote with it, and "
                f"the signed checkpoint at entry {checkpoint.seq} no longer matches the log (the hashes from "
                f"entry {first} on were recomputed to hide it)"))
    return None


def verify_chain(session: Session, *, trusted: Mapping[str, Mapping[str, Any]],
                 entry_key: bytes | None = None, kept: Sequence[Kept] = ()) -> ChainReport:
    """Check the whole log. `trusted`: the log's keys by kid (`idp.audit.trusted_keys`);
    `entry_key`: the log's MAC key (`AuditLog.entry_key`), to check every entry's MAC, pending
    ones too (None: only the chain and the checkpoints); `kept`: checkpoints kept outside the
    database (`idp.audit.kept`), which show a tail cut off or a log restored and written on."""
    checkpoints = list(session.scalars(sa.select(Checkpoint).order_by(Checkpoint.seq)))
    rows = session.scalars(sa.select(AuditEntry).where(AuditEntry.seq.is_not(None))
                           .order_by(AuditEntry.seq).execution_options(yield_per=2000))
    count, last_hash, at_checkpoints, problem = verify_entries(
        rows, {c.seq for c in checkpoints} | {k.seq for k in kept}, entry_key,
        require_macs=_says_entry_macs(checkpoints[-1:]))
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
    vouched = 0  # the newest checkpoint found good so far
    for row in checkpoints:
        if problem is not None and row.seq >= problem.seq:
            break
        error = check_checkpoint(row, previous_jws=previous, chain_hash=at_checkpoints.get(row.seq),
                                 trusted=trusted)
        if error is not None:
            problem = Problem(row.seq, "checkpoint", error)
            if entry_key is not None and at_checkpoints.get(row.seq) not in (None, row.head_hash):
                problem = first_unauthentic(session, entry_key, after=vouched, checkpoint=problem) or problem
            break
        previous, vouched = row.jws, row.seq
    if kept:
        # With a problem at entry P, only what the kept checkpoints show before P counts.
        limit = problem.seq if problem is not None else None
        found = kept_problem([k for k in kept if limit is None or k.seq < limit],
                             entries=count if limit is None else min(count, limit - 1), hashes=at_checkpoints,
                             good=[c.seq for c in checkpoints if limit is None or c.seq < limit])
        if found is not None:
            problem = Problem(*found)
    if problem is None and entry_key is not None:
        problem = pending_problem(session, entry_key)
    pending = int(session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.seq.is_(None))) or 0)
    return ChainReport(entries=count, checkpoints=len(checkpoints), problem=problem,
                       warnings=tuple(warnings), pending=pending)
