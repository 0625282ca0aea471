"""Software key store: keys from `cryptography`, kept AES-256-GCM wrapped under the KEK.

The wrapped form is `b"\\x01" || nonce (12) || ciphertext+tag` of the PKCS#8 DER, with the
key id and algorithm as associated data, so a blob cannot be swapped onto another row.
Unwrapped keys are kept in memory by this process only; never written anywhere.
"""

from __future__ import annotations

import hashlib
import os
from typing import TypeGuard, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys.algorithms import HASHES, KeyAlgorithm, generate_private_key, hash_for
from keys.errors import KeyNotFound, KeyStoreError
from keys.keystore.base import GeneratedKey, KeyRef, KeyStore, Loaded

FORMAT_VERSION = b"\x01"


def _aad(key_id: str, algorithm: str) -> bytes:
    return f"cedula-key/{key_id}/{algorithm}".encode()


# The ECDSA signature algorithm per digest over a digest computed here (`Prehashed`), made
# once (immutable), with hashlib's constructor of that digest: the same signature as ECDSA over
# the data, without `cryptography`'s per-call hash object (issue 16: ~2.5k instructions per
# signature, two per /token; measured in bench/README.md).
_ECDSA = {name: (getattr(hashlib, name), ec.ECDSA(Prehashed(hash_for(name)))) for name in HASHES}
# The classes of EC private keys met so far (`cryptography`'s one): the ABC's `isinstance` is a
# Python-level `__instancecheck__` on every signature (two per /token, issue 16). Only "yes" is
# kept: a class is never unregistered from an ABC, so the answer holds.
_EC_CLASSES: set[type] = set()


def _is_ec(private: object) -> TypeGuard[ec.EllipticCurvePrivateKey]:
    """`isinstance(private, ec.EllipticCurvePrivateKey)`, its "yes" answered once per class."""
    kind = type(private)
    if kind in _EC_CLASSES:
        return True
    if isinstance(private, ec.EllipticCurvePrivateKey):
        _EC_CLASSES.add(kind)
        return True
    return False


class SoftwareKeyStore(KeyStore):
    backend = "software"

    def __init__(self, kek: bytes) -> None:
        self._aead = AESGCM(kek)
        self._keys = Loaded(self._unwrap)
        self._destroyed: set[str] = set()  # a KeyRef still carrying the blob must not sign

    def generate(self, *, key_id: str, algorithm: KeyAlgorithm, label: str) -> GeneratedKey:
        private = generate_private_key(algorithm)
        pkcs8 = private.private_bytes(serialization.Encoding.DER,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
        nonce = os.urandom(12)
        wrapped = FORMAT_VERSION + nonce + self._aead.encrypt(
            nonce, pkcs8, _aad(key_id, algorithm.name))
        self._keys.keep(key_id, private)
        public = private.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
        return GeneratedKey(KeyRef(key_id, algorithm.name, wrapped), public)

    def _private(self, key: KeyRef) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
        if key.key_id in self._destroyed:
            raise KeyNotFound(f"key {key.key_id} was destroyed")
        return self._keys.get(key)

    def _unwrap(self, key: KeyRef) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
        blob = key.wrapped
        if not blob or blob[:1] != FORMAT_VERSION or len(blob) < 1 + 12 + 16:
            raise KeyNotFound(f"key {key.key_id} has no wrapped private key in the software store")
        try:
            pkcs8 = self._aead.decrypt(blob[1:13], blob[13:], _aad(key.key_id, key.algorithm))
        except InvalidTag:
            raise KeyStoreError(
                f"key {key.key_id} cannot be unwrapped: the master key is not the one it was "
                "wrapped under, or the stored key was altered"
            ) from None
        private = serialization.load_der_private_key(pkcs8, password=None)
        if not isinstance(private, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            raise KeyStoreError(f"key {key.key_id} is a {type(private).__name__}, not an EC or RSA key")
        return private

    def sign(self, *, key: KeyRef, data: bytes, hash_name: str | None = None,
             pss: bool = False) -> bytes:
        private = self._private(key)
        name = hash_name or key.alg.hash
        if _is_ec(private):
            prehashed = _ECDSA.get(name)
            if prehashed is None:
                return private.sign(data, ec.ECDSA(hash_for(name)))  # refused there: not a digest of HASHES
            digest, ecdsa = prehashed
            return private.sign(digest(data).digest(), ecdsa)
        rsa_key = cast(rsa.RSAPrivateKey, private)  # `_unwrap` lets only EC and RSA keys through
        digest = hash_for(name)
        if pss:
            return rsa_key.sign(data, padding.PSS(padding.MGF1(digest), digest.digest_size), digest)
        return rsa_key.sign(data, padding.PKCS1v15(), digest)

    def destroy(self, *, key: KeyRef) -> None:
        self._destroyed.add(key.key_id)
        self._keys.forget(key.key_id)

    def check(self) -> None:
        return None
