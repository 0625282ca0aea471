"""Both key-store backends pass the same tests (`software`, and `pkcs11` on SoftHSM2)."""

from __future__ import annotations

import uuid

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from keys.algorithms import algorithm
from keys.errors import KeyNotFound, KeyStoreError, KeyStoreUnavailable
from keys.keystore.base import KeyRef


@pytest.fixture(params=["software", "pkcs11"])
def store(request):
    if request.param == "software":
        from keys.keystore.software import SoftwareKeyStore

        yield SoftwareKeyStore(b"k" * 32)
        return
    token = request.getfixturevalue("softhsm")
    from keys.keystore.pkcs11 import Pkcs11KeyStore

    pkcs11_store = Pkcs11KeyStore(module=token.module, token_label=token.label, pin=token.pin)
    yield pkcs11_store
    pkcs11_store.close()


def _public(spki: bytes):
    return serialization.load_der_public_key(spki)


@pytest.mark.parametrize("name", ["EC-P256", "EC-P384", "RSA-2048"])
def test_generated_key_signs_and_verifies(store, name):
    alg = algorithm(name)
    generated = store.generate(key_id=uuid.uuid4().hex, algorithm=alg, label="test")
    signature = store.sign(key=generated.ref, data=b"document", hash_name=alg.hash)
    public = _public(generated.public_key)
    digest = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384()}[alg.hash]
    if alg.kind == "ec":
        public.verify(signature, b"document", ec.ECDSA(digest))
    else:
        public.verify(signature, b"document", padding.PKCS1v15(), digest)


def test_rsa_pss_signature(store):
    generated = store.generate(key_id=uuid.uuid4().hex, algorithm=algorithm("RSA-2048"),
                               label="pss")
    signature = store.sign(key=generated.ref, data=b"x", hash_name="sha256", pss=True)
    _public(generated.public_key).verify(
        signature, b"x", padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())


def test_signature_over_other_data_does_not_verify(store):
    generated = store.generate(key_id=uuid.uuid4().hex, algorithm=algorithm("EC-P256"),
                               label="neg")
    signature = store.sign(key=generated.ref, data=b"one")
    from cryptography.exceptions import InvalidSignature

    with pytest.raises(InvalidSignature):
        _public(generated.public_key).verify(signature, b"two", ec.ECDSA(hashes.SHA256()))


def test_unknown_key_is_not_found(store):
    ref = KeyRef(uuid.uuid4().hex, "EC-P256", None)
    with pytest.raises(KeyNotFound, match=r"key .* (is not in the PKCS#11 token|has no wrapped)"):
        store.sign(key=ref, data=b"x")


def test_destroyed_key_cannot_sign(store):
    generated = store.generate(key_id=uuid.uuid4().hex, algorithm=algorithm("EC-P256"),
                               label="gone")
    store.destroy(key=generated.ref)
    ref = KeyRef(generated.ref.key_id, "EC-P256", None)
    with pytest.raises(KeyNotFound):
        store.sign(key=ref, data=b"x")


def test_check_passes(store):
    store.check()


def test_software_key_is_wrapped_not_plain():
    from keys.keystore.software import SoftwareKeyStore

    store = SoftwareKeyStore(b"m" * 32)
    generated = store.generate(key_id="ab" * 16, algorithm=algorithm("EC-P256"), label="w")
    assert generated.ref.wrapped is not None
    # A fresh process (new store object) unwraps the blob with the same KEK and signs.
    again = SoftwareKeyStore(b"m" * 32)
    signature = again.sign(key=generated.ref, data=b"x")
    _public(generated.public_key).verify(signature, b"x", ec.ECDSA(hashes.SHA256()))
    private_der = store._private(generated.ref).private_bytes(  # test-only peek
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    assert private_der not in generated.ref.wrapped
    assert private_der[-32:] not in generated.ref.wrapped
    # The blob is bound to its key id: moved onto another row it does not unwrap.
    moved = KeyRef("cd" * 16, "EC-P256", generated.ref.wrapped)
    with pytest.raises(KeyStoreError, match=r"cannot be unwrapped"):
        SoftwareKeyStore(b"m" * 32).sign(key=moved, data=b"x")
    with pytest.raises(KeyStoreError, match=r"master key is not the one it was wrapped under"):
        SoftwareKeyStore(b"n" * 32).sign(key=generated.ref, data=b"x")


def test_pkcs11_private_keys_stay_in_the_token(softhsm):
    import pkcs11
    from pkcs11 import Attribute, ObjectClass

    from keys.keystore.pkcs11 import Pkcs11KeyStore

    store = Pkcs11KeyStore(module=softhsm.module, token_label=softhsm.label, pin=softhsm.pin)
    generated = store.generate(key_id=uuid.uuid4().hex, algorithm=algorithm("EC-P256"),
                               label="hsm")
    assert generated.ref.wrapped is None
    key = store._session.get_key(object_class=ObjectClass.PRIVATE_KEY,
                                 id=bytes.fromhex(generated.ref.key_id))
    assert key[Attribute.SENSITIVE] is True
    assert key[Attribute.EXTRACTABLE] is False
    assert key[Attribute.TOKEN] is True
    with pytest.raises(pkcs11.PKCS11Error):
        key[Attribute.VALUE]
    store.close()


def test_pkcs11_wrong_pin_and_token(softhsm):
    from keys.keystore.pkcs11 import Pkcs11KeyStore

    with pytest.raises(KeyStoreUnavailable, match=r"the PIN for PKCS#11 token 'cedula-test' is wrong"):
        Pkcs11KeyStore(module=softhsm.module, token_label=softhsm.label, pin="0000")
    with pytest.raises(KeyStoreUnavailable, match=r"no PKCS#11 token labelled 'nope'"):
        Pkcs11KeyStore(module=softhsm.module, token_label="nope", pin=softhsm.pin)


def test_pkcs11_a_pin_the_token_refused_is_not_tried_again(monkeypatch):
    """Every use of the key store (each /readyz poll after its 2 s, each /token) opened it again
    and logged in with the wrong PIN once more: a node started with a mistyped PIN counted
    failed logins on the HSM until the token locked its user PIN, for every node. A PIN the
    token refused is refused in the process without asking the token; another PIN is tried.
    (A token of its own: SoftHSM's stays logged in for the whole test process.)"""
    import pkcs11

    from keys.keystore import pkcs11 as module

    logins: list[str] = []

    class Token:
        def open(self, *, user_pin, rw):
            logins.append(user_pin)
            if user_pin != "4321":
                raise pkcs11.PinIncorrect()
            return object()

    class Library:
        def get_token(self, *, token_label):
            return Token()

    monkeypatch.setattr(module, "_library", lambda path: Library())
    monkeypatch.setattr(module, "_sessions", {})
    monkeypatch.setattr(module, "_refused_pins", set(), raising=False)
    for pin in ("0001", "0001", "0001", "0002", "0001"):
        with pytest.raises(KeyStoreUnavailable, match=r"the PIN for PKCS#11 token 'hsm' is wrong"):
            module._open_session("/hsm.so", "hsm", pin)
    assert logins == ["0001", "0002"]
    module._open_session("/hsm.so", "hsm", "4321")
    module._open_session("/hsm.so", "hsm", "4321")
    assert logins == ["0001", "0002", "4321"]

def test_software_store_signs_ec_and_rsa_alternately_each_with_its_scheme():
    """The software store tells an EC key from an RSA one once per key class (issue 16: no ABC
    check per signature): keys of both kinds, signing in turn, each keep their own scheme, and
    the kind is still the `isinstance` answer (an object of another class is not taken for EC)."""
    from keys.keystore.software import SoftwareKeyStore, _is_ec

    software = SoftwareKeyStore(b"k" * 32)
    ec_key = software.generate(key_id=uuid.uuid4().hex, algorithm=algorithm("EC-P256"), label="ec")
    rsa_key = software.generate(key_id=uuid.uuid4().hex, algorithm=algorithm("RSA-2048"), label="rsa")
    for round_ in range(3):
        data = f"round {round_}".encode()
        _public(ec_key.public_key).verify(software.sign(key=ec_key.ref, data=data, hash_name="sha256"),
                                          data, ec.ECDSA(hashes.SHA256()))
        _public(rsa_key.public_key).verify(software.sign(key=rsa_key.ref, data=data, hash_name="sha256"),
                                           data, padding.PKCS1v15(), hashes.SHA256())
    assert _is_ec(ec.generate_private_key(ec.SECP256R1())) is True
    assert _is_ec(object()) is False


@pytest.mark.parametrize("curve,hash_name,digest", [
    ("EC-P256", "sha256", hashes.SHA256()), ("EC-P256", "sha384", hashes.SHA384()),
    ("EC-P256", "sha512", hashes.SHA512()), ("EC-P384", "sha384", hashes.SHA384()),
])
def test_software_store_ecdsa_signs_the_data_under_each_digest(curve, hash_name, digest):
    """The software store hashes the data itself and signs the digest (issue 16: `Prehashed`,
    without `cryptography`'s hash object per call): the signature is ECDSA over the data with
    that digest, as a verifier that hashes the data checks it, and over nothing else."""
    from keys.keystore.software import SoftwareKeyStore

    software = SoftwareKeyStore(b"k" * 32)
    generated = software.generate(key_id=uuid.uuid4().hex, algorithm=algorithm(curve), label="ec")
    data = b"header.payload " * 40
    signature = software.sign(key=generated.ref, data=data, hash_name=hash_name)
    public = _public(generated.public_key)
    public.verify(signature, data, ec.ECDSA(digest))
    with pytest.raises(InvalidSignature):
        public.verify(signature, data + b".", ec.ECDSA(digest))
