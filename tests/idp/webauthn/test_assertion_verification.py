"""`verify_assertion` checks what py_webauthn's `verify_authentication_response` checks (it no
longer calls it): the same verdict for the same assertion, and the signature checked with a
key decoded once per stored public key."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from webauthn import verify_authentication_response

from idp.webauthn import signatures
from idp.webauthn.authentication import parse_assertion, verify_assertion
from idp.webauthn.errors import WebAuthnError
from idp.webauthn.relying_party import RelyingParty
from tests.support.authenticator import SoftwareAuthenticator, b64url, from_b64url

RP = RelyingParty(id="localhost", name="Test", origin="http://localhost", algorithms=(-7, -8),
                  timeout_ms=60000, challenge_seconds=300)
CHALLENGE = bytes(range(32))
HANDLE = b"\x07" * 32


def _key(**kwargs: Any) -> SoftwareAuthenticator:
    return SoftwareAuthenticator(user_handle=HANDLE, **kwargs)


def _assertion(key: SoftwareAuthenticator, **kwargs: Any) -> dict[str, Any]:
    return key.authenticate({"challenge": b64url(CHALLENGE), "rpId": RP.id}, **kwargs)


def _with_client_data(key: SoftwareAuthenticator, assertion: dict[str, Any],
                      **extra: Any) -> dict[str, Any]:
    """The assertion with members added to its clientDataJSON, signed again."""
    data = json.loads(from_b64url(assertion["response"]["clientDataJSON"]))
    data.update(extra)
    client_data = json.dumps(data, separators=(",", ":")).encode()
    auth_data = from_b64url(assertion["response"]["authenticatorData"])
    assertion["response"]["clientDataJSON"] = b64url(client_data)
    assertion["response"]["signature"] = b64url(
        key.sign(auth_data + hashlib.sha256(client_data).digest()))
    return assertion


def _ours(assertion: dict[str, Any], public_key: bytes, stored: int = 0) -> int:
    verified = verify_assertion(rp=RP, response=parse_assertion(assertion),
                                expected_challenge=CHALLENGE, public_key=public_key,
                                stored_sign_count=stored, user_handle=HANDLE)
    return verified.sign_count


def _theirs(assertion: dict[str, Any], public_key: bytes, stored: int = 0) -> int:
    return verify_authentication_response(
        credential=parse_assertion(assertion).credential, expected_challenge=CHALLENGE,
        expected_rp_id=RP.id, expected_origin=RP.origin, credential_public_key=public_key,
        credential_current_sign_count=stored, require_user_verification=True).new_sign_count


def _verdicts(assertion: dict[str, Any], public_key: bytes, stored: int = 0) -> tuple[Any, Any]:
    def run(verify):
        try:
            return verify(assertion, public_key, stored)
        except WebAuthnError as exc:
            return exc.error
        except Exception:
            return "refused"
    ours, theirs = run(_ours), run(_theirs)
    return ours, ("refused" if theirs == "refused" else theirs)


def test_a_good_assertion_passes_both():
    key = _key(sign_count=4, counter_step=1)
    assert _verdicts(_assertion(key), key.cose_public_key(), stored=4) == (5, 5)


@pytest.mark.parametrize("binding,accepted", [
    ({"status": "present", "id": "abc"}, True),
    ({"status": "supported"}, True),
    ({"status": "not-supported"}, False),
    ({"status": "whatever"}, False),
    ({}, False),
    ("a string is ignored", True),
    (None, True),
])
def test_token_binding_is_judged_as_py_webauthn_does(binding, accepted):
    key = _key()
    assertion = _with_client_data(key, _assertion(key), tokenBinding=binding)
    ours, theirs = _verdicts(assertion, key.cose_public_key())
    assert (ours == 0) is accepted and (theirs == 0) is accepted
    if not accepted:
        assert ours == "invalid_credential"


@pytest.mark.parametrize("mutation", ["other_key", "short_signature", "flipped_bit", "other_data"])
def test_a_signature_that_does_not_verify_is_refused_by_both(mutation):
    key = _key()
    assertion = _assertion(key)
    signature = from_b64url(assertion["response"]["signature"])
    if mutation == "other_key":
        assertion = _assertion(_key(credential_id=key.credential_id))
    elif mutation == "short_signature":
        assertion["response"]["signature"] = "AAAA"
    elif mutation == "flipped_bit":
        assertion["response"]["signature"] = b64url(signature[:-1] + bytes([signature[-1] ^ 1]))
    else:
        data = json.loads(from_b64url(assertion["response"]["clientDataJSON"]))
        data["extra"] = 1  # the signed client data changed after signing
        assertion["response"]["clientDataJSON"] = b64url(json.dumps(data).encode())
    assert _verdicts(assertion, key.cose_public_key()) == ("invalid_credential", "refused")


def test_the_same_public_key_still_refuses_a_bad_signature_after_a_good_one():
    key = _key()
    public_key = key.cose_public_key()
    assert _ours(_assertion(key), public_key) == 0
    impostor = _assertion(_key(credential_id=key.credential_id))
    with pytest.raises(WebAuthnError) as refused:
        _ours(impostor, public_key)
    assert refused.value.error == "invalid_credential"
    assert _ours(_assertion(key), public_key) == 0


def test_an_ed25519_passkey_verifies_like_py_webauthn():
    private = ed25519.Ed25519PrivateKey.generate()
    cose = cbor2.dumps({1: 1, 3: -8, -1: 6, -2: private.public_key().public_bytes_raw()})
    key = _key()
    key.sign = private.sign  # type: ignore[method-assign]
    assert _verdicts(_assertion(key), cose) == (0, 0)
    other = _key()
    other.sign = ed25519.Ed25519PrivateKey.generate().sign  # type: ignore[method-assign]
    assert _verdicts(_assertion(other), cose) == ("invalid_credential", "refused")


@pytest.mark.parametrize("cose", [b"", b"\xa0", cbor2.dumps({1: 2, 3: -7, -1: 1}),
                                  cbor2.dumps({1: 2, 3: -7, -1: 1, -2: b"\x01" * 32,
                                               -3: b"\x02" * 32}),  # not a point on P-256
                                  cbor2.dumps({1: 9, 3: -7})])
def test_a_stored_key_that_does_not_decode_refuses_and_is_not_kept(cose):
    key = _key()
    before = signatures.public_key.cache_info().currsize
    assert _verdicts(_assertion(key), cose) == ("invalid_credential", "refused")
    assert signatures.public_key.cache_info().currsize == before


def test_keys_are_decoded_once():
    key = _key(credential_id=os.urandom(16))
    public_key = key.cose_public_key()
    _ours(_assertion(key), public_key)
    hits = signatures.public_key.cache_info().hits
    _ours(_assertion(key), public_key)
    assert signatures.public_key.cache_info().hits == hits + 1


def test_a_bad_token_binding_is_judged_after_the_other_checks_as_before():
    """py_webauthn ran after this module's own checks: their error codes still win."""
    key = _key()
    assertion = _with_client_data(key, _assertion(key, uv=False), tokenBinding={})
    assert _verdicts(assertion, key.cose_public_key())[0] == "user_verification_required"
