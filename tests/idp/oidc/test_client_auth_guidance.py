"""What an agency developer is told when client authentication fails for a reason of their own
making: a key they signed with but did not publish (or published after Cédula last fetched their
jwks_uri), and client_secret_jwt, which Cédula does not offer (openid-client's ClientSecretJwt)."""

from __future__ import annotations

import time

from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey

from clients.registry import Client
from idp.oidc import client_auth
from idp.oidc.client_keys import RemoteKeySets
from idp.oidc.errors import InvalidClient
from infra.store.memory import MemoryStore

ISSUER = "http://localhost"
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _claims(client_id: str) -> dict:
    now = int(time.time())
    return {"iss": client_id, "sub": client_id, "aud": ISSUER, "iat": now, "exp": now + 60,
            "jti": f"jti-{time.time_ns()}"}


def _token(client, assertion: str):
    return client.post("/token", data={"grant_type": "authorization_code", "code": "not-a-code",
                                       "client_assertion_type": ASSERTION, "client_assertion": assertion})


def test_a_key_not_registered_yet_is_named_with_those_that_are(client, register):
    """It was "client_assertion signature does not verify with the client's registered keys":
    nothing said that the kid was unknown (a key rotated before it was registered)."""
    agency = register(token_endpoint_auth_method="private_key_jwt")
    new_key = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
    assertion = jwt.encode({"alg": "ES256", "kid": "agency-key-2027"}, _claims(agency.client_id), new_key,
                           algorithms=["ES256"])
    refused = _token(client, assertion)
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"
    assert refused.get_json()["error_description"] == (
        "client_assertion names kid 'agency-key-2027', which is not in your registered jwks (kids: 'agency-key'); "
        "register the new key (PUT /register/{client_id}, or ask the operator) before you sign with it")


def test_client_secret_jwt_is_called_by_its_name(client, register):
    """openid-client's ClientSecretJwt signs an HS256 assertion with the secret: the answer was
    "this client authenticates with client_secret_basic, not private_key_jwt", a method the
    developer never used."""
    agency = register()  # client_secret_basic
    assertion = jwt.encode({"alg": "HS256"}, _claims(agency.client_id), OctKey.import_key(agency.secret.encode()),
                           algorithms=["HS256"])
    refused = _token(client, assertion)
    assert refused.status_code == 401
    assert refused.get_json()["error_description"] == (
        "this client authenticates with client_secret_basic, not client_secret_jwt (a client_assertion signed "
        "with the secret), which Cédula does not support: send client_id and client_secret in the Authorization "
        "header with HTTP Basic (RFC 6749 section 2.3.1), or register token_endpoint_auth_method client_secret_post")


def test_a_jwks_uri_key_published_after_the_last_fetch_says_when_it_is_fetched_again():
    fetched = []
    old = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))

    def fetch(uri: str) -> dict:
        fetched.append(uri)
        return {"keys": [dict(old.as_dict(private=False), kid="old", use="sig")]}

    remote = RemoteKeySets(ttl=3600, fetch=fetch, clock=lambda: 1000.0 + len(fetched))
    client = Client(client_id="portal", client_metadata={"token_endpoint_auth_method": "private_key_jwt",
                                                         "jwks_uri": "https://portal.example.gov/jwks"},
                    assertion_audience="strict")
    policy = client_auth.AssertionPolicy(audiences=[ISSUER], max_seconds=300, leeway=30, remote_keys=remote,
                                         issuer=ISSUER)
    new = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
    assertion = jwt.encode({"alg": "ES256", "kid": "new"}, _claims("portal"), new, algorithms=["ES256"])
    for _ in range(2):  # the second right after the first: no second fetch (at most once a minute)
        try:
            client_auth.verify_assertion(client, assertion, {"alg": "ES256", "kid": "new"}, store=MemoryStore(),
                                         policy=policy, now=int(time.time()))
        except InvalidClient as exc:
            assert exc.description == (
                "client_assertion names kid 'new', which is not in the JWK Set at your jwks_uri (kids: 'old'); "
                "Cédula fetches it again for an unknown kid at most once every 60 seconds: publish a new key "
                "there before you sign with it")
        else:
            raise AssertionError("an unknown kid was accepted")
    assert len(fetched) == 1
