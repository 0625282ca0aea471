"""A PKCS#11 session the token ended (an HSM restarted or a network HSM reconnected: every
handle of the session is invalid, the login is gone) is closed and dropped, and the next use
logs in again on a new one.

Before: the one logged-in session of the process was kept for ever; once the token ended it,
every signature failed with "refused to sign ... SessionHandleInvalid" and the readiness check
with "PKCS#11 token not usable", until the process was restarted (every node, after any HSM
restart). Now the signature asked for goes through on the new session.
"""

from __future__ import annotations

import uuid

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from keys.algorithms import algorithm

pytestmark = pytest.mark.pkcs11


def _verify(spki: bytes, signature: bytes, data: bytes) -> None:
    public = serialization.load_der_public_key(spki)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, data, ec.ECDSA(hashes.SHA256()))


def test_a_session_the_token_ended_is_replaced_and_the_signature_made(softhsm):
    from keys.keystore import pkcs11 as module

    store = module.Pkcs11KeyStore(module=softhsm.module, token_label=softhsm.label,
                                  pin=softhsm.pin)
    other = module.Pkcs11KeyStore(module=softhsm.module, token_label=softhsm.label,
                                  pin=softhsm.pin)  # another app of the process
    generated = store.generate(key_id=uuid.uuid4().hex, algorithm=algorithm("EC-P256"),
                               label="session-lost")
    _verify(generated.public_key, store.sign(key=generated.ref, data=b"before"), b"before")

    store._session.close()  # what the token does when it restarts

    _verify(generated.public_key, store.sign(key=generated.ref, data=b"after"), b"after")
    store.check()
    _verify(generated.public_key, other.sign(key=generated.ref, data=b"other"), b"other")
    other.check()
    store.destroy(key=generated.ref)


def test_a_session_lost_at_the_readiness_check_is_replaced(softhsm):
    from keys.keystore import pkcs11 as module

    store = module.Pkcs11KeyStore(module=softhsm.module, token_label=softhsm.label,
                                  pin=softhsm.pin)
    store._session.close()
    store.check()
    generated = store.generate(key_id=uuid.uuid4().hex, algorithm=algorithm("EC-P256"),
                               label="session-lost")
    _verify(generated.public_key, store.sign(key=generated.ref, data=b"x"), b"x")
    store.destroy(key=generated.ref)
