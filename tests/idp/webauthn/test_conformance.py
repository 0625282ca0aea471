"""WebAuthn Level 3 conformance the review found missing: a "none" attestation whose attStmt is
not empty (section 8.7: "attStmt ... the empty CBOR map") and an assertion that carries
attested credential data (section 6.1: the AT flag is set only in a registration) are refused
with a clear 400, and nothing is stored or signed in."""

from __future__ import annotations

import hashlib
import json

import cbor2

from idp.citizens.models import Citizen
from infra.db import get_db
from tests.idp.conftest import enrol, fields, post_json, registration_options, sign_in_options
from tests.support.authenticator import SoftwareAuthenticator, b64url, from_b64url

AT = 0x40


def _count(app) -> int:
    with get_db(app).read() as db:
        return db.query(Citizen).count()


def test_a_none_attestation_with_a_statement_is_refused(client):
    """Before: the statement was ignored and the citizen enrolled."""
    key = SoftwareAuthenticator()
    response = key.register(registration_options(client, fields()))
    decoded = cbor2.loads(from_b64url(response["response"]["attestationObject"]))
    decoded["attStmt"] = {"note": b"anything the client liked"}
    response["response"]["attestationObject"] = b64url(cbor2.dumps(decoded))
    refused = post_json(client, "/webauthn/registration/verify", response)
    assert refused.status_code == 400, refused.get_json()
    body = refused.get_json()
    assert body["error"] == "invalid_credential"
    assert body["error_description"]
    assert _count(client.application) == 0


def test_a_none_attestation_with_an_empty_statement_still_enrols(client):
    enrol(client, SoftwareAuthenticator())
    assert _count(client.application) == 1


def _with_attested_data(key: SoftwareAuthenticator, assertion: dict) -> dict:
    """The assertion with the AT flag and attested credential data added, signed again."""
    data = bytearray(from_b64url(assertion["response"]["authenticatorData"]))
    data[32] |= AT
    auth_data = (bytes(data) + key.aaguid + len(key.credential_id).to_bytes(2, "big")
                 + key.credential_id + key.cose_public_key())
    client_data = from_b64url(assertion["response"]["clientDataJSON"])
    assertion["response"]["authenticatorData"] = b64url(auth_data)
    assertion["response"]["signature"] = b64url(key.sign(auth_data + hashlib.sha256(client_data).digest()))
    return assertion


def test_an_assertion_with_attested_credential_data_is_refused(client, fresh_app):
    """Before: the signature verified and the citizen was signed in."""
    key = SoftwareAuthenticator()
    enrol(client, key)
    other = fresh_app.test_client()
    assertion = _with_attested_data(key, key.authenticate(sign_in_options(other)))
    refused = post_json(other, "/webauthn/authentication/verify", assertion,
                        headers={"Accept-Language": "en"})
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "invalid_credential"
    assert other.get("/account").status_code != 200


def test_the_same_assertion_without_attested_data_signs_in(client, fresh_app):
    key = SoftwareAuthenticator()
    enrol(client, key)
    other = fresh_app.test_client()
    ok = post_json(other, "/webauthn/authentication/verify", key.authenticate(sign_in_options(other)))
    assert ok.status_code == 200, ok.get_json()
    assert json.loads(ok.data)
