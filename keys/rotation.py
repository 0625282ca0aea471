"""OpenID Connect signing keys: one current key per algorithm, rotated with pre-publication.

Timeline of a key (`keys_signing_key`): published in the JWKS at `published_at`; signs from
`active_at` = published_at + jwks.prepublish_seconds (so every relying party that honours the
JWKS cache headers already has it); stops signing at `retired_at` (when its successor becomes
active); leaves the JWKS at `remove_at` = retired_at + jwks.max_token_seconds + a clock-skew
margin, when every token it signed has expired. Other processes notice a rotation through the
"oidc" generation counter within keys.refresh_seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from infra.config import MAX_SECONDS, ConfigError, read_section
from infra.utc import as_utc
from keys.algorithms import KeyAlgorithm
from keys.algorithms import algorithm as key_algorithm
from keys.custody import Custody
from keys.errors import InvalidRequest, KeyNotFound, RotationPending
from keys.jose import JWS_ALGORITHMS, public_jwk, thumbprint
from keys.keystore.base import KeyRef
from keys.models import SigningKey, StoredKey

GENERATION = "oidc"
SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class SigningKeyInfo:
    """A signing key as this process knows it (public parts, timeline, key reference)."""

    kid: str
    alg: str
    key: KeyRef
    public_key: bytes
    jwk: Mapping[str, str]
    published_at: datetime
    active_at: datetime
    retired_at: datetime | None
    remove_at: datetime | None

    def published(self, now: datetime) -> bool:
        return self.published_at <= now and (self.remove_at is None or now < self.remove_at)

    def active(self, now: datetime) -> bool:
        return self.active_at <= now and (self.retired_at is None or now < self.retired_at)


@dataclass(frozen=True)
class RotationResult:
    """What `rotate` did for each algorithm: the new key, the key it replaces, removals."""

    published: tuple[SigningKeyInfo, ...]
    removed: tuple[str, ...] = ()


@dataclass
class _Snapshot:
    generation: tuple[int, str] = (-1, "")
    checked: float = 0.0
    keys: tuple[SigningKeyInfo, ...] = field(default_factory=tuple)


def _steady(keys: tuple[SigningKeyInfo, ...], alg: str, now: datetime) -> tuple[datetime, datetime | None]:
    """The times around `now` between which no key of `alg` becomes active or retires: the
    current key is the same throughout (`Keyring.current`)."""
    changes = [t for k in keys if k.alg == alg for t in (k.active_at, k.retired_at) if t is not None]
    since = max((t for t in changes if t <= now), default=datetime.min.replace(tzinfo=now.tzinfo))
    until = min((t for t in changes if t > now), default=None)
    return since, until


# the sizes of `keys.algorithms.ALGORITHMS`' RSA keys
RSA_BITS = (2048, 3072)


class Keyring:
    """The signing keys of this process, cached; refreshed when another process rotates."""

    def __init__(self, custody: Custody, settings: Mapping[str, Any]) -> None:
        self.custody = custody
        section = settings["jwks"]
        self.algorithms = tuple(str(a) for a in section["algorithms"])
        if not self.algorithms:
            raise ConfigError("jwks.algorithms must list one algorithm or more, of ES256, RS256, got []")
        for alg in self.algorithms:
            if alg not in JWS_ALGORITHMS:
                raise InvalidRequest(f"jwks.algorithms: {alg!r} is not one of ES256, RS256")
        checked = read_section(settings, "jwks")
        bits = section.get("rsa_bits")
        if isinstance(bits, bool) or bits not in RSA_BITS:
            raise ConfigError(f"jwks.rsa_bits must be one of {', '.join(map(str, RSA_BITS))}, got {bits!r}")
        self.rsa_algorithm = f"RSA-{int(bits)}"
        key_algorithm(self.rsa_algorithm)
        self.prepublish = timedelta(seconds=checked.whole("prepublish_seconds", minimum=0, maximum=MAX_SECONDS,
                                                          unit="seconds"))
        self.cache_seconds = checked.whole("cache_seconds", minimum=0, maximum=MAX_SECONDS, unit="seconds")
        self.max_token = timedelta(seconds=checked.whole("max_token_seconds", minimum=1, maximum=MAX_SECONDS,
                                                         unit="seconds"))
        if self.cache_seconds > self.prepublish.total_seconds():
            raise InvalidRequest(
                "jwks.cache_seconds must not exceed jwks.prepublish_seconds, or a relying party "
                "could hold a cached JWKS without the key that starts signing "
                f"({self.cache_seconds} > {int(self.prepublish.total_seconds())})"
            )
        self.refresh = float(settings["keys"]["refresh_seconds"])
        self._snapshot = _Snapshot()
        self._lock = threading.Lock()
        # alg -> (the keys it was chosen among, the current key, the times it holds between)
        self._current: dict[str, tuple[tuple[SigningKeyInfo, ...], SigningKeyInfo, datetime, datetime | None]] = {}

    # reading ------------------------------------------------------------------------------

    def keys(self) -> tuple[SigningKeyInfo, ...]:
        """All known keys; one cheap counter read at most every keys.refresh_seconds."""
        snap = self._snapshot
        if time.monotonic() - snap.checked < self.refresh:
            return snap.keys
        with self._lock:
            snap = self._snapshot
            if time.monotonic() - snap.checked < self.refresh:
                return snap.keys
            generation = self.custody.generation(GENERATION)
            if generation != snap.generation:
                self._snapshot = _Snapshot(generation, time.monotonic(), self._load())
            else:
                snap.checked = time.monotonic()
            return self._snapshot.keys

    def invalidate(self) -> None:
        self._snapshot = _Snapshot()

    def _load(self) -> tuple[SigningKeyInfo, ...]:
        with self.custody.database.read() as session:
            rows = session.execute(
                sa.select(SigningKey, StoredKey).join(StoredKey, StoredKey.id == SigningKey.key_id)
                .order_by(SigningKey.active_at)
            ).all()
            return tuple(self._info(signing, stored) for signing, stored in rows)

    @staticmethod
    def _info(signing: SigningKey, stored: StoredKey) -> SigningKeyInfo:
        return SigningKeyInfo(
            kid=signing.kid, alg=signing.alg,
            key=KeyRef(stored.id, stored.algorithm, stored.wrapped),
            public_key=stored.public_key,
            jwk=public_jwk(stored.public_key, kid=signing.kid, alg=signing.alg),
            published_at=as_utc(signing.published_at), active_at=as_utc(signing.active_at),
            retired_at=as_utc(signing.retired_at), remove_at=as_utc(signing.remove_at),
        )

    def published(self, now: datetime) -> list[SigningKeyInfo]:
        return [k for k in self.keys() if k.published(now)]

    def jwks(self, now: datetime) -> dict[str, list[dict[str, str]]]:
        """The JWK Set of every published key (RFC 7517, section 5)."""
        return {"keys": [dict(k.jwk) for k in self.published(now)]}

    def current(self, alg: str, now: datetime) -> SigningKeyInfo:
        """The key that signs for `alg` now; the first key of an algorithm is made on demand."""
        if alg not in self.algorithms:
            raise InvalidRequest(f"alg must be one of {', '.join(self.algorithms)}, got {alg!r}")
        known = self.keys()
        chosen = self._current.get(alg)
        # The same keys, and no key of alg became active or retired since it was chosen: the
        # same key (issue 16: not the keys' times compared again for every token).
        if chosen is not None and chosen[0] is known and chosen[2] <= now and (chosen[3] is None or now < chosen[3]):
            return chosen[1]
        for _attempt in range(2):
            known = self.keys()
            active = [k for k in known if k.alg == alg and k.active(now)]
            if active:
                key = max(active, key=lambda k: k.active_at)
                self._current[alg] = (known, key, *_steady(known, alg, now))
                return key
            if not any(k.alg == alg for k in self.keys()):
                self.bootstrap(now, algs=(alg,))
            self.invalidate()
        raise KeyNotFound(f"no {alg} signing key is active; run `cedula keys rotate`")

    # changing -----------------------------------------------------------------------------

    def _key_algorithm(self, alg: str) -> KeyAlgorithm:
        return key_algorithm("EC-P256" if alg == "ES256" else self.rsa_algorithm)

    def bootstrap(self, now: datetime, *, algs: tuple[str, ...] | None = None) -> list[str]:
        """Make a first, immediately active key for each algorithm that has none (keys init)."""
        made: list[str] = []
        with self.custody.database.transaction() as session:
            existing = set(session.scalars(sa.select(SigningKey.alg).distinct()))
            for alg in algs or self.algorithms:
                if alg in existing:
                    continue
                self._add(session, alg, published_at=now, active_at=now)
                made.append(alg)
            if made:
                self.custody.bump(session, GENERATION)
        self.invalidate()
        return made

    def _add(self, session: Session, alg: str, *, published_at: datetime, active_at: datetime) -> SigningKey:
        ref = self.custody.new_key(session, purpose="oidc", algorithm=self._key_algorithm(alg))
        stored = session.get(StoredKey, ref.key_id)
        if stored is None:
            raise KeyNotFound(f"key {ref.key_id} was not stored")
        spki = stored.public_key
        row = SigningKey(kid=thumbprint(spki), key_id=ref.key_id, alg=alg,
                         published_at=published_at, active_at=active_at)
        session.add(row)
        return row

    def rotate(self, now: datetime, *, algs: tuple[str, ...] | None = None,
               record: Callable[[Session, RotationResult], None] | None = None) -> RotationResult:
        """Publish the next key of each algorithm; it signs after the pre-publication period.

        `record(session, result)`: the caller's own record of the rotation (an operator's audit
        entry), written in this transaction: the rotation and the record commit together, and
        if it raises, nothing is rotated. (Keys already past their removal time are pruned
        first, in a transaction of their own: that housekeeping happens on every rotation.)"""
        removed = self.prune(now)
        published: list[SigningKeyInfo] = []
        with self.custody.database.transaction() as session:
            for alg in algs or self.algorithms:
                rows = list(session.scalars(sa.select(SigningKey).where(SigningKey.alg == alg)))
                pending = [r for r in rows if as_utc(r.active_at) > now]
                if pending:
                    raise RotationPending(
                        f"the next {alg} key {pending[0].kid} is published and starts signing at "
                        f"{as_utc(pending[0].active_at).isoformat()}; rotate again after that"
                    )
                current = [r for r in rows if r.retired_at is None]
                active_at = now + self.prepublish if current else now
                new = self._add(session, alg, published_at=now, active_at=active_at)
                for row in current:
                    row.retired_at = active_at
                    row.remove_at = active_at + self.max_token + SKEW
                session.flush()
                published.append(self._info(new, session.get(StoredKey, new.key_id)))
            self.custody.bump(session, GENERATION)
            result = RotationResult(tuple(published), tuple(removed))
            if record is not None:
                record(session, result)
        self.invalidate()
        return result

    def prune(self, now: datetime) -> list[str]:
        """Delete keys whose removal time has passed, with their private halves."""
        removed: list[str] = []
        gone: list[KeyRef] = []
        with self.custody.database.transaction() as session:
            rows = session.scalars(sa.select(SigningKey).where(SigningKey.remove_at.is_not(None)))
            for row in list(rows):
                if row.remove_at is not None and as_utc(row.remove_at) <= now:
                    stored = session.get(StoredKey, row.key_id)
                    session.delete(row)
                    session.flush()
                    if stored is not None:
                        gone.append(KeyRef(stored.id, stored.algorithm, stored.wrapped))
                        session.delete(stored)
                    removed.append(row.kid)
            if removed:
                self.custody.bump(session, GENERATION)
        for ref in gone:  # only once the rows are gone for good
            self.custody.destroy(ref)
        if removed:
            self.invalidate()
        return removed
