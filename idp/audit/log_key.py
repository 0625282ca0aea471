"""The data-sharing log's own key: checkpoints of the chain and consent receipts are signed by
a dedicated, long-lived log key, never by the rotating OIDC keys, and verifying the log accepts
only the keys of the log's key history that this deployment's key custody can sign with.

Issue 14: checkpoints used to be signed by the OIDC key of the day and accepted when signed by
any key that was no longer published, so an insider who rewrote the log and re-signed every
checkpoint with a fresh key of their own passed `cedula audit verify`.

The history (`audit_log_keys`) is append-only and permanent: a key never leaves it, so anything
it signed verifies forever (the public keys are served at `/audit/log-keys.json`). The first key
endorses itself; each later one (`cedula audit log-key rotate`) is endorsed by the key before it.

What anchors it: the key store. A log key counts only if custody (`keys/`: the software store's
keys are AES-256-GCM wrapped under a master key that is not in the database; PKCS#11 keys never
leave the token) proves it holds the private half, by signing a fresh challenge at verification.
An insider with write access to the database alone cannot make such a key: a row they add, a
key they generate, an endorsement they forge, a checkpoint they re-sign all fail verification.
What such an insider can still do is said in `LIMITS` below.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from idp.audit.errors import AuditError
from idp.audit.models import LogKey
from infra import jose
from infra.components import Slot

PURPOSE = "audit-log"  # keys_key.purpose of log keys
ENDORSEMENT_TYP = "log-key+jwt"
PROOF_TYP = "log-key-proof+jwt"
ALGORITHMS = ("ES256", "RS256")
PUBLIC_MEMBERS = ("kty", "crv", "x", "y", "n", "e")
LIMITS = (
    "An insider with write access to the database but not to the key store cannot add a log key, "
    "forge an endorsement or re-sign a checkpoint or receipt. They can still delete or rewrite the "
    "entries that no checkpoint covers yet, delete the whole log, or delete every checkpoint and let "
    "the running service sign new ones over a rewritten log; only copies held elsewhere (citizens' "
    "downloaded logs, which carry signed checkpoints, copies of /audit/checkpoint.json, and the "
    "published log keys) reveal those: `cedula audit verify --kept <copy>` checks the log against them."
)


class LogKeyError(AuditError):
    """The log's key history is not trustworthy, or the key store cannot vouch for it."""


@dataclass(frozen=True)
class LogKeyInfo:
    seq: int
    kid: str
    alg: str
    jwk: Mapping[str, Any]
    key_id: str


def public(jwk: Mapping[str, Any]) -> dict[str, Any]:
    return {k: jwk[k] for k in PUBLIC_MEMBERS if k in jwk}


def verify_compact(token: str, jwk: Mapping[str, Any], *, typ: str, kid: str | None = None) -> dict[str, Any]:
    """The claims of a compact JWS signed by `jwk` with header typ `typ` (and kid); ValueError
    says what is wrong."""
    try:
        key = JWKRegistry.import_key(dict(jwk))
        verified = jose.verify_compact(token, key, algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError) as exc:
        raise ValueError(f"its signature does not verify ({exc})") from None
    header = verified.header
    if str(header.get("typ", "")).lower() != typ or (kid is not None and header.get("kid") != kid):
        raise ValueError(f"its header must have typ {typ}" + (f" and kid {kid!r}" if kid else ""))
    try:
        return verified.claims()
    except JoseError:
        raise ValueError("its payload is not a JSON object") from None


class LogKeys:
    """The log keys of one application: the current one for signing, the history for verifying.

    `service` is the application's `keys.KeyService`; `database` its `infra.db.Database`."""

    def __init__(self, service: Any, database: Any, *, alg: str) -> None:
        self.service = service
        self.database = database
        self.alg = alg
        self._current: LogKeyInfo | None = None
        self._lock = threading.Lock()

    # -- signing ----------------------------------------------------------------------------

    def current(self) -> LogKeyInfo:
        """The newest log key (made in a transaction of its own the first time: call it before
        opening a transaction that will sign, as `idp.audit.prepare` does)."""
        with self.database.read() as session:
            newest = session.execute(sa.select(LogKey.seq, LogKey.kid).order_by(LogKey.seq.desc()).limit(1)).first()
        cached = self._current
        if cached is not None and newest is not None and (newest.seq, newest.kid) == (cached.seq, cached.kid):
            return cached
        if newest is None:
            return self._create(previous=None)
        with self.database.read() as session:
            row = session.get(LogKey, newest.seq)
            info = LogKeyInfo(seq=row.seq, kid=row.kid, alg=row.alg, jwk=dict(row.jwk), key_id=row.key_id)
        self._current = info
        return info

    def sign(self, claims: Mapping[str, Any], *, typ: str) -> tuple[str, str, dict[str, Any]]:
        """A compact JWS (RFC 7515) over `claims` by the current log key: token, kid, public JWK."""
        key = self.current()
        return self._sign(key, claims, typ=typ), key.kid, dict(key.jwk)

    def _sign(self, key: LogKeyInfo, claims: Mapping[str, Any], *, typ: str, ref: Any = None) -> str:
        """RFC 7515 section 7.1 with the key in custody (`ref`: its KeyRef when known already)."""
        from infra.jose import b64url
        from keys.algorithms import ecdsa_der_to_raw
        from keys.jose import JWS_ALGORITHMS, encode_json

        if ref is None:
            with self.database.read() as session:
                ref = self.service.custody.load_ref(session, key.key_id)
        header = {"alg": key.alg, "kid": key.kid, "typ": typ}
        signing_input = f"{b64url(encode_json(header))}.{b64url(encode_json(dict(claims)))}"
        spec = JWS_ALGORITHMS[key.alg]
        signature = self.service.custody.sign(ref, signing_input.encode("ascii"), hash_name=spec.hash)
        if spec.kind == "ec":
            signature = ecdsa_der_to_raw(signature, spec.curve_bits or 256)
        return f"{signing_input}.{b64url(signature)}"

    def rotate(self) -> LogKeyInfo:
        """A new log key, endorsed by the current one; the old ones stay in the history."""
        return self._create(previous=self.current())

    def _create(self, *, previous: LogKeyInfo | None) -> LogKeyInfo:
        from keys.algorithms import algorithm
        from keys.jose import KEY_ALGORITHM_FOR, public_jwk, thumbprint
        from keys.models import StoredKey

        with self._lock:
            now = datetime.now(UTC)
            seq = 1 if previous is None else previous.seq + 1
            try:
                with self.database.transaction() as session:
                    ref = self.service.custody.new_key(session, purpose=PURPOSE,
                                                       algorithm=algorithm(KEY_ALGORITHM_FOR[self.alg]))
                    spki = session.get(StoredKey, ref.key_id).public_key
                    kid = thumbprint(spki)
                    jwk = public_jwk(spki, kid=kid, alg=self.alg)
                    info = LogKeyInfo(seq=seq, kid=kid, alg=self.alg, jwk=jwk, key_id=ref.key_id)
                    statement = {"seq": seq, "kid": kid, "jwk": public(jwk), "alg": self.alg,
                                 "prev": previous.kid if previous else None, "iat": int(now.timestamp())}
                    # The first key endorses itself (proof of possession); later ones, the key before.
                    endorsement = (self._sign(previous, statement, typ=ENDORSEMENT_TYP) if previous else
                                   self._sign(info, statement, typ=ENDORSEMENT_TYP, ref=ref))
                    session.add(LogKey(seq=seq, kid=kid, alg=self.alg, jwk=jwk, key_id=ref.key_id,
                                       created_at=now, endorsement=endorsement))
            except IntegrityError:
                self._current = None  # another process made this one first: use theirs
                return self.current()
            self._current = info
            return info

    # -- verifying --------------------------------------------------------------------------

    def history(self, session: Session) -> list[LogKey]:
        return list(session.scalars(sa.select(LogKey).order_by(LogKey.seq)))

    def trusted(self, session: Session) -> dict[str, dict[str, Any]]:
        """kid -> public JWK of every log key, once the history checks out and custody proved
        it holds each private half; LogKeyError names the first key that does not."""
        from keys.errors import KeyStoreError
        from keys.models import StoredKey

        trusted: dict[str, dict[str, Any]] = {}
        previous: LogKey | None = None
        for expected, row in enumerate(self.history(session), start=1):
            where = f"log key {row.seq} ({row.kid})"
            if row.seq != expected:
                raise LogKeyError(f"log key {expected} is missing from the key history")
            try:
                key = JWKRegistry.import_key(dict(row.jwk))
            except (JoseError, ValueError, TypeError):
                raise LogKeyError(f"{where} cannot be read") from None
            if key.thumbprint() != row.kid:
                raise LogKeyError(f"{where} is not the key its kid names")
            endorser = previous.jwk if previous is not None else row.jwk
            try:
                claims = verify_compact(row.endorsement, endorser, typ=ENDORSEMENT_TYP,
                                        kid=previous.kid if previous is not None else row.kid)
            except ValueError as exc:
                raise LogKeyError(f"{where} is not endorsed by the key before it: {exc}") from None
            if (claims.get("seq"), claims.get("kid"), claims.get("prev"), claims.get("jwk")) != \
                    (row.seq, row.kid, previous.kid if previous else None, public(row.jwk)):
                raise LogKeyError(f"{where} does not match its endorsement")
            stored = session.get(StoredKey, row.key_id)
            if stored is None or stored.purpose != PURPOSE:
                raise LogKeyError(f"{where} has no private key in custody: it is not this log's key")
            challenge = {"challenge": secrets.token_urlsafe(16), "kid": row.kid}
            info = LogKeyInfo(seq=row.seq, kid=row.kid, alg=row.alg, jwk=dict(row.jwk), key_id=row.key_id)
            try:
                proof = self._sign(info, challenge, typ=PROOF_TYP)
                answered = verify_compact(proof, row.jwk, typ=PROOF_TYP, kid=row.kid)
            except KeyStoreError as exc:
                raise LogKeyError(f"the key store cannot vouch for {where}: {exc}") from None
            except ValueError:
                raise LogKeyError(f"{where} is not held by this deployment's key store: it is not this "
                                  "log's key") from None
            if answered != challenge:
                raise LogKeyError(f"{where} did not sign the challenge")
            trusted[row.kid] = dict(row.jwk)
            previous = row
        return trusted

    def published(self, session: Session) -> dict[str, Any]:
        """The history as a JWK Set with each key's endorsement (RFC 7517 section 5)."""
        return {"keys": [{**dict(row.jwk), "log_key_seq": row.seq,
                          "created_at": row.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                          if row.created_at.tzinfo else row.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "endorsement": row.endorsement} for row in self.history(session)]}


LOG_KEYS: Slot[LogKeys] = Slot("data-sharing log keys")


def log_keys(app: Flask | None = None) -> LogKeys:
    """The log's key history and current key (default: of the current application)."""
    return LOG_KEYS.of(app)
