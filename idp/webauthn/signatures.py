"""Verifying a passkey's signature with its stored COSE public key (W3C WebAuthn Level 3,
section 7.2, step 21), as py_webauthn does, with the decoded key kept per process.

Decoding the COSE key and building the `cryptography` key object (which validates the
point) cost about as much as the signature check itself, and give the same key every time
for the same stored bytes: they are done once per public key (a bounded LRU of immutable
objects; a failed decoding is never kept).
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from webauthn.helpers import decode_credential_public_key, decoded_public_key_to_cryptography
from webauthn.helpers import verify_signature as _verify
from webauthn.helpers.cose import COSEAlgorithmIdentifier

KEYS_KEPT = 4096


@lru_cache(maxsize=KEYS_KEPT)
def public_key(cose_key: bytes) -> tuple[COSEAlgorithmIdentifier, PublicKeyTypes]:
    """The algorithm and `cryptography` key of a stored credential public key (COSE_Key)."""
    decoded = decode_credential_public_key(cose_key)
    return decoded.alg, decoded_public_key_to_cryptography(decoded)


def verify_signature(cose_key: bytes, *, signature: bytes, data: bytes) -> None:
    """Raise `cryptography.exceptions.InvalidSignature` unless `signature` over `data` was made
    with the key `cose_key`; py_webauthn's errors for a key or algorithm it does not support."""
    alg, key = public_key(bytes(cose_key))
    _verify(public_key=key, signature_alg=alg, signature=signature, data=data)
