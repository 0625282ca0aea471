"""Access tokens verified once are answered from memory while they stand (issue 16): the key
that signed them must still be published and they must not have expired, as in a full check."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

import idp.oidc.signer
from idp.oidc import provider
from keys import get_service
from tests.idp.oidc.conftest import bearer, tokens_for


@pytest.fixture
def verifications(monkeypatch):
    calls = []
    original = idp.oidc.signer.keys.verify_jwt

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(idp.oidc.signer.keys, "verify_jwt", counted)
    return calls


@pytest.fixture
def token(client, register, citizen, oidc_app):
    provider(oidc_app).signer._verified.clear()
    return tokens_for(client, register())["access_token"]


def test_a_token_presented_again_is_not_verified_again(client, token, verifications):
    for _ in range(3):
        assert client.get("/userinfo", headers=bearer(token)).status_code == 200
    assert len(verifications) == 1


def test_a_token_whose_key_is_no_longer_published_is_refused_though_seen(client, token, oidc_app, monkeypatch):
    assert client.get("/userinfo", headers=bearer(token)).status_code == 200
    service = get_service(oidc_app)
    # Another process removed it from the JWKS: the keyring's keys change.
    removed = tuple(replace(k, remove_at=service.now()) for k in service.keyring.keys())
    monkeypatch.setattr(service.keyring, "keys", lambda: removed)
    refused = client.get("/userinfo", headers=bearer(token))
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_token"


def test_a_token_that_expired_is_refused_though_seen(client, token, oidc_app, monkeypatch):
    assert client.get("/userinfo", headers=bearer(token)).status_code == 200
    service = get_service(oidc_app)
    later = service.now() + timedelta(hours=2)
    monkeypatch.setattr(service, "now", lambda: later)
    refused = client.get("/userinfo", headers=bearer(token))
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_token"


def test_a_forged_token_is_never_taken_from_memory(client, token):
    assert client.get("/userinfo", headers=bearer(token)).status_code == 200
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    assert client.get("/userinfo", headers=bearer(forged)).status_code == 401


def test_the_claims_handed_out_cannot_be_changed(client, token, oidc_app):
    assert client.get("/userinfo", headers=bearer(token)).status_code == 200
    claims = provider(oidc_app).signer.verify(token, algorithms=("ES256",), typ="at+jwt")
    with pytest.raises(TypeError):
        claims["sub"] = "someone else"  # type: ignore[index]
