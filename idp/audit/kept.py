"""Checkpoints kept outside the database, and what they show about the log in it.

An insider with write access to the database can cut the log's tail (its entries, the
checkpoints that cover them and the chain head, made consistent) or restore an older copy and
let the service write on from there: what is left is a log that checks out on its own. A
checkpoint signed by the log's key and kept elsewhere - the newest one, published at
`<issuer>/audit/checkpoint.json`, or those in a citizen's downloaded log - says how long the
log was and what its entry at that point hashed to; `cedula audit verify --kept FILE` checks the
database against it (`kept_problem`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from idp.audit.log import CHECKPOINT_TYP
from idp.audit.log_key import verify_compact
from infra.jose import b64url_decode

_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Kept:
    """A checkpoint whose signature by one of the log's keys has been checked."""

    seq: int
    head_hash: str
    time: str


def _tokens(document: Any) -> list[str]:
    """The compact JWS of every checkpoint in `document`: a JWS, one checkpoint
    (`/audit/checkpoint.json`), a citizen's downloaded log, or an account export holding one."""
    if isinstance(document, str):
        return [document.strip()]
    if not isinstance(document, Mapping):
        return []
    if isinstance(document.get("log"), Mapping):  # an account export (idp.consent.export)
        return _tokens(document["log"])
    if isinstance(document.get("checkpoints"), list):  # a citizen's log (idp.audit.export)
        return [str(c.get("jws", "")) for c in document["checkpoints"] if isinstance(c, Mapping)]
    if "jws" in document:
        return [str(document["jws"])]
    return []


def _header_kid(token: str) -> str:
    try:
        header = json.loads(b64url_decode(token.split(".")[0]))
    except (IndexError, ValueError):
        return ""
    return str(header.get("kid", "")) if isinstance(header, dict) else ""


def read_kept(document: Any, *, trusted: Mapping[str, Mapping[str, Any]]) -> list[Kept]:
    """The checkpoints in `document`, each checked against the log keys `trusted` (by kid);
    ValueError says which one is not a checkpoint signed by one of them."""
    tokens = _tokens(document)
    if not tokens:
        raise ValueError("it holds no signed checkpoint (expected <issuer>/audit/checkpoint.json, "
                         "a checkpoint's JWS, or a citizen's downloaded log)")
    kept: list[Kept] = []
    for number, token in enumerate(tokens, start=1):
        try:
            payload = json.loads(b64url_decode(token.split(".")[1]))
            seq = payload.get("seq") if isinstance(payload, dict) else None
        except (IndexError, ValueError):
            seq = None
        name = f"checkpoint at entry {seq}" if isinstance(seq, int) else f"checkpoint {number}"
        kid = _header_kid(token)
        key = trusted.get(kid)
        if key is None:
            raise ValueError(f"{name} is not signed by one of the log's keys (kid {kid!r})")
        try:
            claims = verify_compact(token, key, typ=CHECKPOINT_TYP, kid=kid)
        except ValueError as exc:
            raise ValueError(f"{name} is not valid: {exc}") from None
        seq, head_hash = claims.get("seq"), claims.get("head_hash")
        if (isinstance(seq, bool) or not isinstance(seq, int) or seq < 1 or not isinstance(head_hash, str)
                or len(head_hash) != 64 or not set(head_hash) <= _HEX):
            raise ValueError(f"{name} does not say which entry it covers")
        kept.append(Kept(seq=seq, head_hash=head_hash, time=str(claims.get("time", "?"))))
    return kept


def kept_problem(kept: Iterable[Kept], *, entries: int, hashes: Mapping[int, str],
                 good: Sequence[int] = ()) -> tuple[int, str, str] | None:
    """The first entry a kept checkpoint shows to be missing or replaced, as a `Problem`'s seq,
    kind and message (`idp.audit.verify`), or None. `entries`:
    how many sealed entries the log holds (all verified); `hashes`: their hashes at the kept
    checkpoints' seqs; `good`: the seqs of the log's own checkpoints, all verified."""
    matched = list(good)
    for checkpoint in sorted(kept, key=lambda k: k.seq):
        if checkpoint.seq > entries:
            return (entries + 1, "missing", (
                f"entries {entries + 1} to {checkpoint.seq} are missing: the checkpoint of entry "
                f"{checkpoint.seq} signed {checkpoint.time}, which you kept, covers them, but the log now ends "
                f"at entry {entries} (its newest entries were removed, or an older copy of the database "
                "was restored)"))
        if hashes.get(checkpoint.seq) != checkpoint.head_hash:
            after = max((seq for seq in matched if seq < checkpoint.seq), default=0)
            return (checkpoint.seq, "checkpoint", (
                f"the log is not the one the checkpoint of entry {checkpoint.seq} signed {checkpoint.time}, "
                f"which you kept, covers: an entry between entry {after + 1} and entry {checkpoint.seq} "
                "was changed or replaced (entries were removed, or an older copy of the database was "
                "restored, and the log written on from there)"))
        matched.append(checkpoint.seq)
    return None
