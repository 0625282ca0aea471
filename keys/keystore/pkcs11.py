"""PKCS#11 key store: keys generated in the token (sensitive, not extractable), signing there.

Tested against SoftHSM2. ECDSA uses the raw CKM_ECDSA mechanism on a digest computed here
(every token supports it); RSA uses CKM_SHA*_RSA_PKCS or CKM_SHA*_RSA_PKCS_PSS.
One logged-in session per process; python-pkcs11 serialises operations on it. A session the
token ended (restarted, unplugged, reconnected: PKCS#11 v2.40, 5.6 and 11.6) is closed and dropped,
and the operation tried once more on a new one.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pkcs11
from asn1crypto import keys as asn1_keys
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
from pkcs11.util.rsa import encode_rsa_public_key

from keys.algorithms import KeyAlgorithm, ecdsa_raw_to_der, hash_for
from keys.errors import KeyNotFound, KeyStoreError, KeyStoreUnavailable
from keys.keystore.base import GeneratedKey, KeyRef, KeyStore, Loaded

_RSA_MECHANISMS = {
    ("sha256", False): Mechanism.SHA256_RSA_PKCS,
    ("sha384", False): Mechanism.SHA384_RSA_PKCS,
    ("sha512", False): Mechanism.SHA512_RSA_PKCS,
    ("sha256", True): Mechanism.SHA256_RSA_PKCS_PSS,
    ("sha384", True): Mechanism.SHA384_RSA_PKCS_PSS,
    ("sha512", True): Mechanism.SHA512_RSA_PKCS_PSS,
}
_PSS_PARAMS = {
    "sha256": (Mechanism.SHA256, pkcs11.MGF.SHA256, 32),
    "sha384": (Mechanism.SHA384, pkcs11.MGF.SHA384, 48),
    "sha512": (Mechanism.SHA512, pkcs11.MGF.SHA512, 64),
}
# What the token answers once it has ended the session or forgotten the login: every handle of
# that session is gone with it, and only a new session (and login) gets on.
_SESSION_LOST = (pkcs11.SessionHandleInvalid, pkcs11.SessionClosed, pkcs11.UserNotLoggedIn,
                 pkcs11.DeviceRemoved, pkcs11.TokenNotPresent, pkcs11.KeyHandleInvalid,
                 pkcs11.ObjectHandleInvalid)
T = TypeVar("T")
_PRIVATE_TEMPLATE = {
    Attribute.TOKEN: True,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
}

# python-pkcs11's own annotations do not describe its objects (lib is typed as a function,
# PrivateKey without sign): its library, token and key objects are `Any` here.
_libraries: dict[str, Any] = {}
_libraries_lock = threading.Lock()
# PKCS#11 logs in per application, not per session: one logged-in session per token and
# process, shared by every store object of the process (several apps in one test run).
_sessions: dict[tuple[str, str], tuple[bytes, pkcs11.Session]] = {}
# PINs (their SHA-256) a token refused, per module and token: never tried on it again in this
# process. HSMs count failed logins and lock the user PIN after a few; the store is opened again
# on every use while it cannot be (each /readyz, each signature), so a mistyped PIN locked the
# token for every node within seconds. The PIN comes from the settings: a new one (a restart, a
# reload) is tried.
_refused_pins: set[tuple[str, str, bytes]] = set()


def _library(module: str) -> Any:
    with _libraries_lock:
        if module not in _libraries:
            try:
                _libraries[module] = pkcs11.lib(module)
            except Exception as exc:  # the loader raises several unrelated types
                raise KeyStoreUnavailable(
                    f"PKCS#11 module {module!r} cannot be loaded: {exc}"
                ) from None
        return _libraries[module]


class Pkcs11KeyStore(KeyStore):
    backend = "pkcs11"

    def __init__(self, *, module: str, token_label: str, pin: str) -> None:
        if not token_label:
            raise KeyStoreUnavailable("keys.pkcs11_token (CEDULA_PKCS11_TOKEN) is empty")
        self._where = (module, token_label, pin)
        self._opened = _open_session(module, token_label, pin)
        self._handles: Loaded[Any] = Loaded(self._find)

    @property
    def _session(self) -> pkcs11.Session:
        """The process's logged-in session; key handles of an earlier one are forgotten."""
        current = _open_session(*self._where)
        if current is not self._opened:
            self._handles.clear()
            self._opened = current
        return current

    def _on_a_live_session(self, operation: Callable[[], T]) -> T:
        """`operation()`, once more on a new session if the token ended the one it ran on."""
        session = self._session
        try:
            return operation()
        except _SESSION_LOST:
            _drop_session(self._where[0], self._where[1], session)
            self._handles.clear()
        try:
            return operation()
        except _SESSION_LOST as exc:
            _drop_session(self._where[0], self._where[1], self._opened)
            self._handles.clear()
            raise KeyStoreUnavailable(f"the PKCS#11 token {self._where[1]!r} ended the session "
                                      f"again: {type(exc).__name__}") from None

    def generate(self, *, key_id: str, algorithm: KeyAlgorithm, label: str) -> GeneratedKey:
        return self._on_a_live_session(lambda: self._generate(key_id=key_id, algorithm=algorithm,
                                                              label=label))

    def _generate(self, *, key_id: str, algorithm: KeyAlgorithm, label: str) -> GeneratedKey:
        ident = bytes.fromhex(key_id)
        common: dict[str, Any] = {"id": ident, "label": label, "store": True,
                  "capabilities": MechanismFlag.SIGN | MechanismFlag.VERIFY,
                  "private_template": dict(_PRIVATE_TEMPLATE)}
        try:
            if algorithm.kind == "ec":
                if algorithm.curve is None:
                    raise KeyStoreError(f"{algorithm.name} names no curve")
                params = self._session.create_domain_parameters(
                    KeyType.EC,
                    {Attribute.EC_PARAMS: encode_named_curve_parameters(algorithm.curve)},
                    local=True,
                )
                public, private = params.generate_keypair(**common)
                spki = encode_ec_public_key(public)
            else:
                public, private = self._session.generate_keypair(
                    KeyType.RSA, algorithm.size, **common)
                spki = asn1_keys.PublicKeyInfo({
                    "algorithm": {"algorithm": "rsa"},
                    "public_key": asn1_keys.RSAPublicKey.load(encode_rsa_public_key(public)),
                }).dump()
        except _SESSION_LOST:
            raise
        except pkcs11.PKCS11Error as exc:
            raise KeyStoreError(
                f"the PKCS#11 token could not generate a {algorithm.name} key: "
                f"{type(exc).__name__}"
            ) from None
        self._handles.keep(key_id, private)
        return GeneratedKey(KeyRef(key_id, algorithm.name, None), spki)

    def _find(self, key: KeyRef) -> Any:
        try:
            return self._session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=bytes.fromhex(key.key_id))
        except pkcs11.NoSuchKey:
            raise KeyNotFound(f"key {key.key_id} is not in the PKCS#11 token") from None

    def sign(self, *, key: KeyRef, data: bytes, hash_name: str | None = None,
             pss: bool = False) -> bytes:
        return self._on_a_live_session(lambda: self._sign(key, data, hash_name, pss))

    def _sign(self, key: KeyRef, data: bytes, hash_name: str | None, pss: bool) -> bytes:
        name = hash_name or key.alg.hash
        digest = hash_for(name)
        try:
            private = self._handles.get(key)
            if key.alg.kind == "ec":
                from cryptography.hazmat.primitives import hashes

                h = hashes.Hash(digest)
                h.update(data)
                raw = private.sign(h.finalize(), mechanism=Mechanism.ECDSA)
                return ecdsa_raw_to_der(raw)
            mechanism = _RSA_MECHANISMS[(name, pss)]
            return bytes(private.sign(data, mechanism=mechanism,
                                      mechanism_param=_PSS_PARAMS[name] if pss else None))
        except _SESSION_LOST:
            raise
        except pkcs11.PKCS11Error as exc:
            raise KeyStoreError(
                f"the PKCS#11 token refused to sign with key {key.key_id}: {type(exc).__name__}"
            ) from None

    def destroy(self, *, key: KeyRef) -> None:
        self._handles.forget(key.key_id)

        def destroy() -> None:
            for obj in list(self._session.get_objects({Attribute.ID: bytes.fromhex(key.key_id)})):
                obj.destroy()

        self._on_a_live_session(destroy)

    def check(self) -> None:
        def check() -> None:
            try:
                self._session.generate_random(64)
            except _SESSION_LOST:
                raise
            except pkcs11.PKCS11Error as exc:
                raise KeyStoreUnavailable(f"PKCS#11 token not usable: {type(exc).__name__}") from None

        self._on_a_live_session(check)

    def close(self) -> None:
        """Drop cached handles; the shared session lives as long as the process."""
        self._handles.clear()


def _drop_session(module: str, token_label: str, session: pkcs11.Session) -> None:
    """Forget a session the token ended (the next use logs in on a new one) and close it."""
    with _libraries_lock:
        known = _sessions.get((module, token_label))
        if known is not None and known[1] is session:
            del _sessions[(module, token_label)]
    try:
        session.close()
    except pkcs11.PKCS11Error:
        pass  # already gone with the token's state


def _open_session(module: str, token_label: str, pin: str) -> pkcs11.Session:
    wrong_pin = KeyStoreUnavailable(
        f"the PIN for PKCS#11 token {token_label!r} is wrong (keys.pkcs11_pin; not tried again until "
        "it changes and the process restarts: each wrong try counts towards locking the token)")
    digest = hashlib.sha256(pin.encode()).digest()
    with _libraries_lock:
        known = _sessions.get((module, token_label))
        if known is not None:
            if not hmac.compare_digest(known[0], digest):
                raise wrong_pin
            return known[1]
        if (module, token_label, digest) in _refused_pins:
            raise wrong_pin
    lib = _library(module)
    try:
        token = lib.get_token(token_label=token_label)
    except pkcs11.NoSuchToken:
        raise KeyStoreUnavailable(f"no PKCS#11 token labelled {token_label!r} in {module}") from None
    try:
        session: pkcs11.Session = token.open(user_pin=pin, rw=True)
    except pkcs11.PinIncorrect:
        with _libraries_lock:
            _refused_pins.add((module, token_label, digest))
        raise wrong_pin from None
    except pkcs11.PKCS11Error as exc:
        raise KeyStoreUnavailable(
            f"cannot log in to PKCS#11 token {token_label!r}: {type(exc).__name__}") from None
    with _libraries_lock:
        _sessions[(module, token_label)] = (digest, session)
    return session
