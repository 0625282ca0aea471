"""Registry storage: secrets hashed and shown once, sectors, initial access tokens."""

from __future__ import annotations

import hashlib

import pytest

from clients.registry.metadata import ClientMetadataError, Permissions
from clients.registry.services import (
    ClientNotFound,
    InvalidInitialToken,
    check_secret,
    find_client,
    issue_initial_token,
    register_client,
    sector_of,
    set_enabled,
    spend_initial_token,
)
from infra.db import get_db

WEB = {"client_name": "Registro Civil", "redirect_uris": ["https://registro.example.gov/cb"]}


def no_fetch(uri):
    raise AssertionError(f"unexpected fetch of {uri}")


def test_secret_is_returned_once_and_stored_hashed(fresh_app):
    with get_db(fresh_app).transaction() as session:
        registration = register_client(session, metadata=WEB, permissions=Permissions(operator=True),
                                       fetch_sector=no_fetch)
        client_id = registration.client.client_id
    secret = registration.client_secret
    assert secret and len(secret) >= 43
    with get_db(fresh_app).read() as session:
        client = find_client(session, client_id)
        assert client.secret_hash == hashlib.sha256(secret.encode()).digest()
        assert secret.encode() not in repr(client.client_metadata).encode()
        assert check_secret(client, secret)
        assert not check_secret(client, secret + "x")
        assert not check_secret(client, "")


def test_private_key_jwt_and_public_clients_get_no_secret(fresh_app):
    key = {"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}
    with get_db(fresh_app).transaction() as session:
        jwt_client = register_client(session, metadata={**WEB, "token_endpoint_auth_method": "private_key_jwt",
                                                        "jwks": {"keys": [key]}},
                                     permissions=Permissions(), fetch_sector=no_fetch)
        public = register_client(session, metadata={**WEB, "token_endpoint_auth_method": "none"},
                                 permissions=Permissions(), fetch_sector=no_fetch)
    assert jwt_client.client_secret is None and jwt_client.client.secret_hash is None
    assert public.client_secret is None


def test_disabled_clients_are_not_found(fresh_app):
    with get_db(fresh_app).transaction() as session:
        client_id = register_client(session, metadata=WEB, permissions=Permissions(),
                                    fetch_sector=no_fetch).client.client_id
        set_enabled(session, client_id, enabled=False)
    with get_db(fresh_app).read() as session:
        with pytest.raises(ClientNotFound):
            find_client(session, client_id)
        assert find_client(session, client_id, enabled_only=False).enabled is False


def test_pairwise_clients_on_several_hosts_need_a_sector(fresh_app):
    metadata = {**WEB, "redirect_uris": ["https://a.example.gov/cb", "https://b.example.gov/cb"]}
    with get_db(fresh_app).transaction() as session:
        with pytest.raises(ClientMetadataError) as info:
            register_client(session, metadata=metadata, permissions=Permissions(), fetch_sector=no_fetch)
    assert info.value.field == "sector_identifier_uri"


def test_sector_identifier_uri_must_list_every_redirect_uri(fresh_app):
    uris = ["https://a.example.gov/cb", "https://b.example.gov/cb"]
    metadata = {**WEB, "redirect_uris": uris, "sector_identifier_uri": "https://sector.example.gov/uris.json"}
    with get_db(fresh_app).transaction() as session:
        with pytest.raises(ClientMetadataError) as info:
            register_client(session, metadata=metadata, permissions=Permissions(),
                            fetch_sector=lambda uri: uris[:1])
        assert "b.example.gov" in info.value.description
        registration = register_client(session, metadata=metadata, permissions=Permissions(),
                                       fetch_sector=lambda uri: uris)
    assert sector_of(registration.client) == "sector.example.gov"


def test_initial_access_tokens_are_counted_and_expire(fresh_app):
    from datetime import timedelta

    db = get_db(fresh_app)
    with db.transaction() as session:
        token = issue_initial_token(session, scopes=("national_id",), uses=1)
        expired = issue_initial_token(session, valid_for=timedelta(seconds=-1))
    with db.transaction() as session:
        assert spend_initial_token(session, token).extra_scopes == ("national_id",)
    for presented in (token, expired, "not-a-token"):
        with db.transaction() as session, pytest.raises(InvalidInitialToken):
            spend_initial_token(session, presented)


def test_client_ids_never_start_with_a_dash(monkeypatch):
    """A client_id is typed into commands (`cedula clients show ID`): a leading dash reads as an option."""
    from clients.registry import services

    drawn = iter(["-F-xdEwhV1ILsXU9ZA_W0A", "-second", "aB3_xdEwhV1ILsXU9ZA_W0"])
    monkeypatch.setattr(services.secrets, "token_urlsafe", lambda _n: next(drawn))
    assert services.new_client_id() == "aB3_xdEwhV1ILsXU9ZA_W0"
