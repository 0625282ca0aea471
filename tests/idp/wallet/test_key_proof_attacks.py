"""An outside attacker at the Credential Endpoint (OpenID4VCI 1.0 section 8, Appendix F.1):
key proofs that must be refused with invalid_proof, never a credential nor a 500."""

from __future__ import annotations

import json
import time

from joserfc import jws
from joserfc.jwk import ECKey

from tests.idp.wallet.conftest import token_ready


def test_two_proofs_of_the_same_key_are_refused(web, birth, holder):
    configuration = token_ready(web, birth, holder)
    twice = holder.request_credential(
        configuration, [holder.proof(nonce=holder.nonce()), holder.proof(nonce=holder.nonce())])
    assert (twice.status, twice.body["error"]) == (400, "invalid_proof"), twice.text
    other = ECKey.generate_key("P-256")
    two_keys = holder.request_credential(
        configuration, [holder.proof(nonce=holder.nonce()),
                        holder.proof(nonce=holder.nonce(), key=other)])
    assert two_keys.status == 200, two_keys.text
    assert len(two_keys.body["credentials"]) == 2


def test_forged_key_proofs_are_refused_with_invalid_proof(web, birth, holder):
    configuration = token_ready(web, birth, holder)
    other = ECKey.generate_key("P-256")
    future = holder.proof(nonce=holder.nonce(), iat=int(time.time()) + 3600)
    another_key = holder.proof(nonce=holder.nonce(), header_jwk=other.as_dict(private=False))
    private = holder.proof(nonce=holder.nonce(), header_jwk=holder.key.as_dict(private=True))
    claims = {"aud": holder.metadata["credential_issuer"], "iat": int(time.time()),
              "nonce": holder.nonce()}
    with_kid = jws.serialize_compact(
        {"alg": "ES256", "typ": "openid4vci-proof+jwt", "kid": "k1",
         "jwk": holder.key.as_dict(private=False)}, json.dumps(claims).encode(), holder.key,
        algorithms=["ES256"])
    for proof in (future, another_key, private, with_kid, "a.b.c", "not a jwt"):
        reply = holder.request_credential(configuration, [proof])
        assert (reply.status, reply.body["error"]) == (400, "invalid_proof"), reply.text


def test_a_credential_request_nested_too_deep_is_invalid_credential_request(web, birth, holder):
    token_ready(web, birth, holder)
    deep = "[" * 5000 + "]" * 5000
    response = holder.transport.client.post(
        holder.transport._path(holder.metadata["credential_endpoint"]), data=deep,
        content_type="application/json",
        headers={"Authorization": f"Bearer {holder.access_token}"})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "invalid_credential_request"


def test_a_notification_id_with_a_nul_is_refused_without_a_500(web, birth, holder):
    token_ready(web, birth, holder)
    response = holder.transport.client.post(
        holder.transport._path(holder.metadata["notification_endpoint"]),
        json={"notification_id": "a\u0000b", "event": "credential_accepted"},
        headers={"Authorization": f"Bearer {holder.access_token}"})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "invalid_notification_request"
