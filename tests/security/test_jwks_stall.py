"""One slow jwks_uri must not stall other clients' /token (issue 14: a process-wide lock was
held during the download, so every private_key_jwt client waited up to 38 s behind one).

Against a live `cedula serve` with real threads: agency A's jwks_uri accepts the connection
and says nothing; while A's token requests wait on it, agency B (its own jwks_uri) gets its
answer; A's concurrent requests share one fetch, and A's answer tells nothing about why.
"""

from __future__ import annotations

import json
import secrets
import threading
import time

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import ECKey

from tests.security.agencies import register
from tests.support import peers

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def assertion(client_id: str, key: ECKey, issuer: str) -> str:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": issuer, "iat": now, "exp": now + 60,
              "jti": secrets.token_urlsafe(12)}
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key, algorithms=["ES256"])


def test_a_slow_jwks_uri_stalls_only_its_own_client(live):
    key_a = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()), {"kid": "a"})
    key_b = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()), {"kid": "b"})
    jwks_b = json.dumps({"keys": [key_b.as_dict(private=False)]})
    release = threading.Event()
    with peers.serve(peers.hold(release)) as slow, peers.serve(peers.json_answer(jwks_b)) as fast:
        a = register(live, token_endpoint_auth_method="private_key_jwt", jwks_uri=slow.url("/jwks"))
        b = register(live, token_endpoint_auth_method="private_key_jwt", jwks_uri=fast.url("/jwks"))
        finished: list[str] = []
        answers_a: list[requests.Response] = []

        def token(client_id: str, key: ECKey) -> requests.Response:
            form = {"grant_type": "authorization_code", "code": "not-a-code", "redirect_uri": a.redirect_uri,
                    "code_verifier": "v" * 43, "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": assertion(client_id, key, live.base)}
            return requests.post(live.url("/token"), data=form, timeout=120)

        def as_a() -> None:
            answer = token(a.client_id, key_a)
            answers_a.append(answer)
            finished.append("a")

        stuck = [threading.Thread(target=as_a) for _ in range(3)]
        for thread in stuck:
            thread.start()
        deadline = time.monotonic() + 60  # until A's fetch is in flight (a cap: ends as soon as it is)
        while not slow.connections and time.monotonic() < deadline:
            time.sleep(0.05)
        assert slow.connections == 1
        answer_b = token(b.client_id, key_b)
        finished.append("b")
        for thread in stuck:
            thread.join(timeout=60)
        release.set()
    # B authenticated (its code is what is wrong) before any of A's requests came back.
    assert answer_b.status_code == 400 and answer_b.json()["error"] == "invalid_grant", answer_b.text
    assert finished[0] == "b", finished
    # A's three requests shared one fetch, and were told only that the jwks_uri failed.
    assert slow.connections == 1
    assert [r.status_code for r in answers_a] == [401, 401, 401]
    assert {r.json()["error_description"] for r in answers_a} == {
        "the client's jwks_uri could not be fetched: it must be a public https URL that answers with its JWK "
        "Set (JSON, at most 64 KiB) within a few seconds"}
