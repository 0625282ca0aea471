"""Key rotation: pre-publication, retirement, removal, and a caching relying party."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from infra.config import get_settings
from infra.db import get_db
from keys import InvalidJwt, RotationPending, sign_jwt, verify_jwt
from keys.jose import public_jwk


class Clock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def clock(service):
    clock = Clock(service.now())
    service.clock = clock
    return clock


class RelyingParty:
    """Fetches /jwks.json and keeps it for max-age seconds, as HTTP caching allows."""

    def __init__(self, client, clock):
        self.client, self.clock = client, clock
        self.keys: dict[str, dict] = {}
        self.expires = None
        self.fetches = 0

    def jwks(self):
        if self.expires is None or self.clock.now >= self.expires:
            response = self.client.get("/jwks.json")
            assert response.status_code == 200
            max_age = int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"])[1])
            self.keys = {k["kid"]: k for k in response.get_json()["keys"]}
            self.expires = self.clock.now + timedelta(seconds=max_age)
            self.fetches += 1
        return self.keys

    def validate(self, token):
        from joserfc import jwt
        from joserfc.jwk import KeySet

        kid = _kid(token)
        keys = self.jwks()
        assert kid in keys, f"relying party has no key {kid} in its cached JWKS"
        jwt.decode(token, KeySet.import_key_set({"keys": list(keys.values())}),
                   algorithms=["ES256", "RS256"])


def _kid(token):
    import base64
    import json

    return json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]


def test_caching_relying_party_validates_across_two_rotations(service, clock, fresh_app):
    ring = service.keyring
    ring.prepublish, ring.cache_seconds = timedelta(hours=2), 3600
    ring.max_token = timedelta(minutes=30)
    rp = RelyingParty(fresh_app.test_client(), clock)
    step = timedelta(minutes=10)  # finer than the cache lifetime: the RP really caches
    rotations = 0
    kids = set()
    for tick in range(int(3 * ring.prepublish / step)):
        if tick in (2, 2 + int(ring.prepublish / step) + 1):
            ring.rotate(clock.now)
            rotations += 1
        for alg in ("ES256", "RS256"):
            exp = int((clock.now + timedelta(minutes=5)).timestamp())
            token = sign_jwt(service, {"sub": "x", "exp": exp}, alg=alg)
            rp.validate(token)  # a fresh token, checked with the RP's cached JWKS
            kids.add(_kid(token))
        clock.now += step
    assert rotations == 2
    assert len(kids) == 6  # three generations of keys, two algorithms each
    assert 3 < rp.fetches < 3 * 2 * 60 / 60 + 2  # it cached for max-age, not per token


def test_next_key_is_published_before_it_signs(service, clock):
    ring = service.keyring
    before = ring.current("ES256", clock.now)
    result = ring.rotate(clock.now, algs=("ES256",))
    new = result.published[0]
    assert new.active_at == clock.now + ring.prepublish
    published = {k["kid"] for k in service.keyring.jwks(clock.now)["keys"]}
    assert {before.kid, new.kid} <= published
    assert ring.current("ES256", clock.now).kid == before.kid  # old key still signs
    clock.now = new.active_at
    assert ring.current("ES256", clock.now).kid == new.kid


def test_second_rotation_while_pending_is_refused(service, clock):
    service.keyring.rotate(clock.now, algs=("RS256",))
    with pytest.raises(RotationPending, match=r"the next RS256 key .* starts signing at"):
        service.keyring.rotate(clock.now, algs=("RS256",))


def test_retired_key_leaves_only_after_its_tokens_expired(service, clock):
    ring = service.keyring
    old = ring.current("ES256", clock.now)
    ring.rotate(clock.now, algs=("ES256",))
    clock.now += ring.prepublish - timedelta(seconds=1)
    exp = int((clock.now + ring.max_token).timestamp())
    last = sign_jwt(service, {"sub": "x", "exp": exp})  # the old key's very last token
    clock.now += timedelta(seconds=1)
    assert ring.current("ES256", clock.now).kid != old.kid
    clock.now = clock.now + ring.max_token - timedelta(seconds=60)
    assert ring.prune(clock.now) == []
    verify_jwt(last, algorithms=["ES256"], app=service)
    clock.now += ring.max_token  # well past exp and the removal margin
    assert ring.prune(clock.now) == [old.kid]
    assert old.kid not in {k["kid"] for k in ring.jwks(clock.now)["keys"]}
    with pytest.raises(InvalidJwt):
        verify_jwt(last, algorithms=["ES256"], app=service, leeway=10**9)


def test_another_process_sees_a_rotation_within_refresh(service, fresh_app):
    from keys.service import KeyService

    settings = get_settings(fresh_app)
    other = KeyService(settings, get_db(fresh_app))
    other.custody._store = service.custody.store
    before = {k["kid"] for k in other.keyring.jwks(other.now())["keys"]}
    result = service.keyring.rotate(service.now())
    other.keyring._snapshot.checked = 0  # as if keys.refresh_seconds had passed
    after = {k["kid"] for k in other.keyring.jwks(other.now())["keys"]}
    assert after == before | {k.kid for k in result.published}


def test_jwks_cache_headers(pki_client, service):
    response = pki_client.get("/jwks.json")
    assert response.headers["Cache-Control"] == f"public, max-age={service.keyring.cache_seconds}"
    assert service.keyring.cache_seconds <= service.keyring.prepublish.total_seconds()
    etag = response.headers["ETag"]
    assert pki_client.get("/jwks.json", headers={"If-None-Match": etag}).status_code == 304
    for key in response.get_json()["keys"]:
        assert "d" not in key and "p" not in key  # public members only
        assert key["use"] == "sig"


def test_cache_longer_than_prepublication_is_refused(fresh_app):
    from keys.errors import InvalidRequest
    from keys.rotation import Keyring

    settings = {s: dict(v) for s, v in get_settings(fresh_app).items()}
    settings["jwks"].update(cache_seconds=7200, prepublish_seconds=3600)
    with pytest.raises(InvalidRequest, match=r"jwks.cache_seconds must not exceed"):
        Keyring(None, settings)


def test_jwk_matches_rfc7638_example():
    """RFC 7638, section 3.1: the thumbprint of the example RSA key."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from keys.jose import thumbprint

    n = ("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tS"
         "oc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65Y"
         "GjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdk"
         "t-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqD"
         "Kgw")
    modulus = int.from_bytes(base64.urlsafe_b64decode(n + "=="), "big")
    spki = rsa.RSAPublicNumbers(65537, modulus).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert thumbprint(spki) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    assert public_jwk(spki, kid="k", alg="RS256")["n"] == n
