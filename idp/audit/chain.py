"""The hash chain of the data-sharing log, free of any database: canonical JSON and SHA-256.

Each entry has a body (what happened: time, event, citizen reference, agency, purpose, legal
basis, claim names, reference) and a place in the chain (its sequence number and the hash of
the entry before it). Its hash is

    body_hash = SHA-256(canonical(body))
    hash      = SHA-256(canonical({"seq": seq, "prev": prev_hash, "body": body_hash}))

where canonical() is JSON with sorted keys, no whitespace, UTF-8 (the JSON Canonicalization
Scheme of RFC 8785 for these plain string/integer/list values). Any change to a body, a
sequence number or the order changes the hash of that entry and breaks every later link. The
body hash lets a citizen check their own entries offline against signed checkpoints while
seeing only the digests, never the content, of other people's entries in between.

Between its INSERT and its sealing an entry has no place in the chain yet; its MAC (`entry_mac`:
HMAC-SHA256 of the same canonical body under a key derived from the server secret) protects it
meanwhile, and stays with it: the sealer chains only entries whose MAC matches, and `cedula
audit verify` checks the MAC of every entry, pending or sealed, that has one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

_hmac_new: Any = hmac.new  # a Python built without OpenSSL
try:  # OpenSSL's HMAC object, as `hmac.new` holds it, without its Python wrapper
    import _hashlib

    _hmac_new = _hashlib.hmac_new
except ImportError:  # pragma: no cover
    pass

GENESIS = "0" * 64  # the `prev` of entry 1

EVENTS = (
    "release.id_token",   # claims released in an ID token (token endpoint)
    "release.userinfo",   # claims released at the UserInfo endpoint
    "consent.given",
    "consent.revoked",
    "document.issued",    # a document issued to the citizen (signing/)
    "signature.made",     # a signature the citizen made (signing/)
    "account.closed",
    "registrar.lookup",             # a registrar looked the citizen up (idp/registrar)
    "registrar.viewed",             # a registrar opened the citizen's page (idp/registrar)
    "registrar.identity_verified",  # a registrar checked an identity document in person
    "registrar.recovery_started",   # a registrar issued a code to bind a new passkey
    "registrar.enrolled",           # a registrar created the identity at a service point
    "registrar.enrolment_link",     # ... and gave a one-time link to create a passkey on a phone
    "registrar.enrolment_key",      # ... or bound a security key on the registrar's computer
    "identity.frozen",      # the national ID was reclaimed by its proven owner (idp/assurance)
    "identity.reclaimed",   # the citizen's national ID, held by another account, moved to them
    "wallet.credential_issued",     # a document issued to the citizen's wallet (idp/wallet)
    "wallet.identity_proven",       # the citizen's PID from a wallet proved their identity
    "wallet.signed_in",             # the citizen signed in with the PID in their wallet
    "wallet.sign_in_refused",       # a PID with this national ID but other names or birth date
    "wallet.identity_withdrawn",    # the PID that proved it expired or was revoked (reference why)
    "operator.action",      # anchors one operator audit trail record (idp.registrar.trail_proof)
)
LEGAL_BASES = ("consent", "law")


# Built once (json.dumps with these arguments builds this very encoder on every call).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              allow_nan=False).encode


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 (RFC 8785 for the values used here)."""
    return _CANONICAL(value).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def timestamp(moment: datetime) -> str:
    """The body's time, UTC to the microsecond (what both databases keep exactly)."""
    global _STAMPED
    stamped = _STAMPED
    if moment == stamped[0]:  # the same instant (or the same naive time) as the last one
        return stamped[1]
    utc = moment if moment.tzinfo is None or moment.tzinfo is UTC else moment.astimezone(UTC)
    # isoformat gives strftime's text ("+00:00" or nothing after the microseconds), at a fraction
    # of its cost (strftime builds a time tuple and calls time.strftime), but pads years below
    # 1000 where strftime may not.
    text = (utc.isoformat("T", "microseconds")[:26] + "Z" if utc.year >= 1000
            else utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    _STAMPED = (moment, text)
    return text


# The last time `timestamp` wrote and its text, swapped whole (a tuple: any thread reads a pair
# that belongs together). The releases of one second share their time (`now` is whole seconds).
_STAMPED: tuple[datetime, str] = (datetime(1970, 1, 1, tzinfo=UTC), "1970-01-01T00:00:00.000000Z")


@dataclass(frozen=True)
class Body:
    """What one log entry says; never a claim's value, only claim names."""

    at: datetime
    event: str
    citizen: str | None
    agency: str | None
    purpose: str | None
    legal_basis: str
    law: str | None
    claims: tuple[str, ...]
    reference: str | None

    def to_json(self) -> dict[str, Any]:
        return {"at": timestamp(self.at), "event": self.event, "citizen": self.citizen,
                "agency": self.agency, "purpose": self.purpose, "legal_basis": self.legal_basis,
                "law": self.law, "claims": list(self.claims), "reference": self.reference}


def normalise_claims(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({str(name) for name in names}))


def body_hash(body: Mapping[str, Any]) -> str:
    return sha256_hex(canonical(dict(body)))


def link_hash(*, seq: int, prev: str, body_digest: str) -> str:
    """The entry's hash: covers its sequence number, the previous hash and its body."""
    return sha256_hex(canonical({"seq": seq, "prev": prev, "body": body_digest}))


_HEX = frozenset("0123456789abcdef")
# The escaping of the canonical encoder above (ensure_ascii=False): the same C function.
_STRING = json.encoder.encode_basestring
_STRINGS = frozenset((str,))


def _body_json(stamp: str, event: Any, citizen: Any, agency: Any, purpose: Any, legal_basis: Any, law: Any,
               claims: Any, reference: Any) -> str:
    """`canonical` of a body's JSON, as text: written directly (keys in sorted order, each string
    escaped by the encoder's own function) when every value is a string or null and the claims a
    list of strings, as bodies are; through the encoder otherwise."""
    string = _STRING
    if (type(event) is str and type(legal_basis) is str and type(claims) is list
            and (citizen is None or type(citizen) is str) and (agency is None or type(agency) is str)
            and (purpose is None or type(purpose) is str) and (law is None or type(law) is str)
            and (reference is None or type(reference) is str) and _STRINGS.issuperset(map(type, claims))):
        return (f'{{"agency":{"null" if agency is None else string(agency)},"at":{string(stamp)},'
                f'"citizen":{"null" if citizen is None else string(citizen)},'
                f'"claims":[{",".join(map(string, claims))}],"event":{string(event)},'
                f'"law":{"null" if law is None else string(law)},"legal_basis":{string(legal_basis)},'
                f'"purpose":{"null" if purpose is None else string(purpose)},'
                f'"reference":{"null" if reference is None else string(reference)}}}')
    return _CANONICAL({"at": stamp, "event": event, "citizen": citizen, "agency": agency, "purpose": purpose,
                       "legal_basis": legal_basis, "law": law, "claims": list(claims or ()),
                       "reference": reference})


def row_body_json(row: Sequence[Any]) -> str:
    """The canonical JSON of one row's body, as `chain_links` hashes it; `row` as there: (id, at,
    event, citizen, agency, purpose, legal_basis, law, claims, reference[, ...])."""
    return _body_json(timestamp(row[1]), row[2], row[3], row[4], row[5], row[6], row[7], row[8] or [], row[9])


def entry_mac(key: bytes, body_json: str) -> str:
    """The entry's MAC: HMAC-SHA256 (RFC 2104) of its body's canonical JSON under the log's entry
    key (derived from the server secret, never in the database). Written with the pending entry,
    it makes a body changed in the database before (or after) sealing detectable: whoever can
    write the table cannot make a MAC without the server secret."""
    mac = _keyed(key).copy()
    mac.update(body_json.encode("utf-8"))
    return mac.hexdigest()


@lru_cache(maxsize=8)
def _keyed(key: bytes) -> Any:
    """HMAC-SHA256 keyed with `key` and fed nothing yet, made once per key (the few of a
    process: its applications' entry keys): `entry_mac` copies it for each entry instead of
    keying a new one (OpenSSL 3 fetches the digest and hashes the padded key every time, which
    was a twentieth of a UserInfo request). Never updated itself, so copies from any thread
    are safe."""
    return _hmac_new(key, digestmod="sha256")


def authentic(rows: Iterable[Sequence[Any]], key: bytes) -> tuple[list[Sequence[Any]], list[int]]:
    """Split pending rows (as `chain_links` takes them, each with its MAC as an 11th value) into
    those whose MAC matches their body and the ids of the others (changed, forged, or without a
    MAC): the sealer chains only the first."""
    good, _bodies, refused = authenticated(rows, key)
    return good, refused


def authenticated(rows: Iterable[Sequence[Any]],
                  key: bytes) -> tuple[list[Sequence[Any]], list[str], list[int]]:
    """`authentic`, with the canonical JSON of each matching row's body (`row_body_json`), in
    the same order: what `chain_links` hashes, handed to it instead of written again."""
    keyed = _keyed(key)
    compare = hmac.compare_digest
    good: list[Sequence[Any]] = []
    bodies: list[str] = []
    refused: list[int] = []
    for row in rows:
        mac = row[10]
        if type(mac) is str:
            body = row_body_json(row)
            check = keyed.copy()  # `entry_mac`, keyed once for the batch
            check.update(body.encode("utf-8"))
            if compare(mac, check.hexdigest()):
                good.append(row)
                bodies.append(body)
                continue
        refused.append(int(row[0]))
    return good, bodies, refused


def chain_links(rows: Iterable[Sequence[Any]], *, seq: int, prev: str,
                bodies: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The chain's links of pending entries after (`seq`, `prev`), in order, as UPDATE parameters
    (`b_id`, `b_seq`, `b_prev`, `b_hash`): what `entry_hash` gives one at a time, for a batch.

    Each row is (id, at, event, citizen, agency, purpose, legal_basis, law, claims, reference);
    `bodies`: the canonical JSON of each row's body when the caller has it already
    (`authenticated`), else written here (`row_body_json`). The canonical JSON is written
    directly (the body's by `_body_json`; the link's keys in sorted order, its values hex
    digests and an integer, which need no escaping); a `prev` that is not a hex digest (a
    damaged head) goes through `canonical` like the rest.
    """
    if bodies is None:
        rows = list(rows)
        bodies = [row_body_json(row) for row in rows]
    sha256 = hashlib.sha256
    encode = _CANONICAL
    links: list[dict[str, Any]] = []
    safe = len(prev) == 64 and set(prev) <= _HEX
    for row, body in zip(rows, bodies, strict=True):
        seq += 1
        digest = sha256(body.encode("utf-8")).hexdigest()
        link = (f'{{"body":"{digest}","prev":"{prev}","seq":{seq}}}' if safe
                else encode({"seq": seq, "prev": prev, "body": digest}))
        digest = sha256(link.encode("utf-8")).hexdigest()
        links.append({"b_id": row[0], "b_seq": seq, "b_prev": prev, "b_hash": digest})
        prev, safe = digest, True
    return links


def entry_hash(*, seq: int, prev: str, body: Mapping[str, Any]) -> str:
    return link_hash(seq=seq, prev=prev, body_digest=body_hash(body))
