"""Key custody: opens the configured key store once, creates keys, signs with them.

`Custody` is the only place that touches a `KeyStore`; the rest of the package asks it for a
new key (a row in `keys_key` plus the private half in the store) or for a signature.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from infra.config import ConfigError, Section
from keys.algorithms import KeyAlgorithm
from keys.errors import KeyNotFound, KeyStoreUnavailable
from keys.keystore.base import KeyRef, KeyStore
from keys.keystore.masterkey import (
    check_value,
    create_master_key,
    decode_master_key,
    master_key_path,
    read_master_key,
)
from keys.models import KeyState, StoredKey

KEK_STATE = "kek"


BACKENDS = ("software", "pkcs11")


def check_settings(keys: Mapping[str, Any]) -> None:
    """Refuse, when the app is built (so `cedula serve` stops before any worker and every
    command says it), a `[keys]` setting the key store could never open with; the store itself
    opens on first use, so these surfaced only as a `/readyz` 503 of a server that had started.
    A master key that does not match the stored keys is found when the store opens."""
    backend = keys.get("backend")
    if backend not in BACKENDS:
        raise ConfigError(f"keys.backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend == "software" and keys.get("master_key"):
        try:
            decode_master_key(str(keys["master_key"]))
        except KeyStoreUnavailable as exc:
            raise ConfigError(f"keys.master_key {str(exc).removeprefix('keys.master_key (CEDULA_MASTER_KEY) ')}"
                              "; `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'` makes one") from None
    if backend == "pkcs11" and not str(keys.get("pkcs11_token") or ""):
        raise ConfigError("keys.pkcs11_token is empty: name the HSM token (CEDULA_PKCS11_TOKEN)")
    if backend == "pkcs11" and not str(keys.get("pkcs11_pin") or ""):
        # logging in with no PIN is one more failed login the HSM counts towards locking the token
        raise ConfigError("keys.pkcs11_pin is empty: set the token's user PIN in the environment "
                          "(CEDULA_PKCS11_PIN)")
    # 0: look at every use (a real choice); over an hour, a rotation done elsewhere goes unseen too long
    Section("keys", keys).number("refresh_seconds", minimum=0, maximum=3600, unit="seconds")


_USE = {
    "pkcs11": ("the PKCS#11 key store (an HSM token; its private key never leaves it)",
               'set keys.backend = "pkcs11" (CEDULA_KEYSTORE=pkcs11) with keys.pkcs11_module, '
               "keys.pkcs11_token and keys.pkcs11_pin (CEDULA_PKCS11_MODULE, CEDULA_PKCS11_TOKEN, "
               "CEDULA_PKCS11_PIN) naming the HSM token that holds it"),
    "software": ("the software key store (wrapped under its master key in the database)",
                 'set keys.backend = "software" (CEDULA_KEYSTORE=software) with the master key it '
                 "was wrapped under: keys.master_key (CEDULA_MASTER_KEY) or the file "
                 "<data_dir>/master.key restored from the backup"),
}


def elsewhere(*, key_id: str, purpose: str, stored: str, configured: str) -> str:
    """What an operator is told when a key lives in another key store than the configured one:
    what is wrong, and which setting makes it usable again."""
    where, fix = _USE.get(stored, (f"the {stored} key store", f"set keys.backend = {stored!r}"))
    return (f"key {key_id} ({purpose}) was made in {where}, but keys.backend is {configured}, which "
            f"cannot use it: {fix}, then restart (docs/operations.md, Backups). The key "
            "store cannot be switched over existing keys: the keys in the database stay where they were made")


def elsewhere_in_public(*, stored: str, configured: str) -> str:
    """`elsewhere` for `/readyz` (public): the same problem and fix, without naming a key."""
    where, fix = _USE.get(stored, (f"the {stored} key store", f"set keys.backend = {stored!r}"))
    return (f"keys in the database were made in {where}, but keys.backend is {configured}, which cannot "
            f"use them: {fix}, then restart; `cedula keys init` names the keys")


@dataclass(frozen=True)
class Misplaced:
    """A key in the database that the configured key store cannot use (made in another one)."""

    key_id: str
    purpose: str
    stored: str
    configured: str

    def message(self) -> str:
        return elsewhere(key_id=self.key_id, purpose=self.purpose, stored=self.stored,
                         configured=self.configured)

    def public(self) -> str:
        return elsewhere_in_public(stored=self.stored, configured=self.configured)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Custody:
    """The key store of this process (opened lazily) and the `keys_key` table."""

    def __init__(self, *, settings: Mapping[str, Any], data_dir: Path, database: Any,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.data_dir = data_dir
        self.database = database
        self.clock = clock
        self._store: KeyStore | None = None
        self._lock = threading.Lock()
        # (key-store settings, verdict) of `misplaced`, kept once the database holds keys
        self._placement: tuple[tuple[str, ...], Misplaced | None] | None = None

    @property
    def backend(self) -> str:
        return str(self.settings["keys"]["backend"])

    @property
    def store(self) -> KeyStore:
        """The key store, opened on first use (never at import or app creation)."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = self._open()
        return self._store

    def initialise(self) -> KeyStore:
        """Open the store now (`cedula keys init`); an empty software store gets its master key.
        Refuses (before opening, so no master key is made over a token's keys) a key store that
        cannot use the keys in the database."""
        self.forget_placement()
        self.check_placement()
        with self._lock:
            if self._store is None:
                self._store = self._open()
        return self._store

    def _placement_settings(self) -> tuple[str, ...]:
        section = self.settings["keys"]
        return (self.backend, str(section.get("pkcs11_module") or ""), str(section.get("pkcs11_token") or ""))

    def misplaced(self) -> Misplaced | None:
        """A key in the database that the configured key store cannot use (made in the other
        one), or None. Opens no store and signs nothing: one query, whose verdict is kept per
        key-store settings once the database holds keys (a key never moves to another store), so
        it is asked again only while the database has no key, after the key store's settings
        changed, or after `forget_placement`."""
        settings = self._placement_settings()
        known = self._placement
        if known is not None and known[0] == settings:
            return known[1]
        with self.database.read() as session:
            row = session.execute(sa.select(StoredKey.id, StoredKey.purpose, StoredKey.backend)
                                  .where(StoredKey.backend != self.backend).limit(1)).first()
            held = row is not None or session.scalar(sa.select(StoredKey.id).limit(1)) is not None
        found = None if row is None else Misplaced(key_id=str(row[0]), purpose=str(row[1]), stored=str(row[2]),
                                                   configured=self.backend)
        if held:
            self._placement = (settings, found)
        return found

    def check_placement(self) -> None:
        """Raise `KeyStoreUnavailable` (`elsewhere`'s message) when the configured key store
        cannot use the keys in the database."""
        found = self.misplaced()
        if found is not None:
            raise KeyStoreUnavailable(found.message())

    def forget_placement(self) -> None:
        """Ask the database again at the next `misplaced` (its tables were emptied or restored)."""
        self._placement = None

    def _open(self) -> KeyStore:
        section = self.settings["keys"]
        if self.backend == "pkcs11":
            from keys.keystore.pkcs11 import Pkcs11KeyStore

            return Pkcs11KeyStore(module=str(section["pkcs11_module"]),
                                  token_label=str(section["pkcs11_token"]),
                                  pin=str(section["pkcs11_pin"]))
        if self.backend != "software":
            raise KeyStoreUnavailable(
                f"keys.backend (CEDULA_KEYSTORE) must be software or pkcs11, got {self.backend!r}"
            )
        from keys.keystore.software import SoftwareKeyStore

        return SoftwareKeyStore(self._master_key())

    def _master_key(self) -> bytes:
        configured = str(self.settings["keys"].get("master_key", ""))
        path = master_key_path(self.data_dir)
        kek = decode_master_key(configured) if configured else read_master_key(path)
        with self.database.transaction() as session:
            state = session.get(KeyState, KEK_STATE)
            if kek is None:
                wrapped = session.scalar(sa.select(sa.func.count()).select_from(StoredKey)
                                         .where(StoredKey.backend == "software"))
                if wrapped or state is not None:
                    raise KeyStoreUnavailable(
                        f"the master key is missing: the database holds keys wrapped under it; "
                        f"restore {path} or set CEDULA_MASTER_KEY"
                    )
                # An empty store makes its master key on first use (embedded default).
                kek = create_master_key(path)
            value = check_value(kek)
            if state is None:
                session.add(KeyState(name=KEK_STATE, generation=0, value=value))
            elif state.value != value:
                raise KeyStoreUnavailable(
                    "the master key does not match the one the stored keys were wrapped under "
                    f"(check value {value[:8]}..., expected {state.value[:8]}...)"
                )
        return kek

    # keys ---------------------------------------------------------------------------------

    def new_key(self, session: Session, *, purpose: str, algorithm: KeyAlgorithm) -> KeyRef:
        """Generate a key pair in the store and record it (same transaction as its use)."""
        key_id = uuid.uuid4().hex
        generated = self.store.generate(key_id=key_id, algorithm=algorithm,
                                        label=f"cedula-{purpose}-{key_id[:8]}")
        session.add(StoredKey(id=key_id, purpose=purpose, algorithm=algorithm.name,
                              backend=self.store.backend, wrapped=generated.ref.wrapped,
                              public_key=generated.public_key, created_at=self.clock()))
        session.flush()
        return generated.ref

    def ref(self, row: StoredKey) -> KeyRef:
        if row.backend != self.store.backend:
            raise KeyNotFound(elsewhere(key_id=row.id, purpose=row.purpose, stored=row.backend,
                                        configured=self.store.backend))
        return KeyRef(row.id, row.algorithm, row.wrapped)

    def load_ref(self, session: Session, key_id: str) -> KeyRef:
        row = session.get(StoredKey, key_id)
        if row is None:
            raise KeyNotFound(f"no key {key_id} in custody")
        return self.ref(row)

    def sign(self, key: KeyRef, data: bytes, *, hash_name: str | None = None,
             pss: bool = False) -> bytes:
        return self.store.sign(key=key, data=data, hash_name=hash_name, pss=pss)

    def destroy(self, key: KeyRef) -> None:
        """Destroy the private key; call after the transaction deleting its row committed."""
        self.store.destroy(key=key)

    # change counters ----------------------------------------------------------------------

    @staticmethod
    def bump(session: Session, name: str) -> None:
        """Tell other processes that `name` changed (they poll `generation`)."""
        marker = uuid.uuid4().hex  # tells apart equal counters of a wiped and rebuilt table
        state = session.get(KeyState, name)
        if state is None:
            session.add(KeyState(name=name, generation=1, value=marker))
        else:
            state.generation = state.generation + 1
            state.value = marker

    def generation(self, name: str) -> tuple[int, str]:
        """The change counter of `name` (one primary-key read)."""
        with self.database.read() as session:
            row = session.execute(sa.select(KeyState.generation, KeyState.value)
                                  .where(KeyState.name == name)).first()
        return (int(row[0]), str(row[1])) if row else (0, "")

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
