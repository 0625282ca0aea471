"""Which clients may use /wallet/authorize: a wallet, registered by an operator (as
`cedula clients ...` and tests.support.wallet.register_wallet_client do) as a public client
with the authorization_code grant. Any other public client (one an agency registered itself
at /register for its single-page app) or a client whose registered grant_types lack
authorization_code gets unauthorized_client (RFC 6749 section 4.1.2.1) at its redirect URI,
with a sentence for the developer, and no consent page for the citizen."""
# ruff: noqa: F811 - the fixture imported below is a parameter of the tests

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.idp.wallet.test_authorization import CALLBACK, WALLET, _query, wallet_client  # noqa: F401

SPA = "https://spa.example/callback"


def _register(app, client_id: str, *, operator: bool, grant_types: list[str]) -> None:
    from clients.registry import Permissions
    from clients.registry.services import register_client
    from infra.db import get_db

    metadata = {"client_name": "Portal SPA", "redirect_uris": [SPA], "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code"], "scope": "openid"}
    with get_db(app).transaction() as session:
        registration = register_client(session, metadata=metadata, client_id=client_id,
                                 permissions=Permissions(operator=operator), fetch_sector=lambda uri: [SPA])
        # as a PUT /register (RFC 7592) that changes grant_types would leave it
        registration.client.client_metadata = {**registration.client.client_metadata, "grant_types": grant_types}


@pytest.mark.parametrize(("operator", "grant_types"), [(False, ["authorization_code"]),
                                                        (True, ["refresh_token"])])
def test_only_wallets_registered_for_the_code_grant_are_answered(web, docs_app, birth, holder, signed_in,
                                                                 operator, grant_types):
    _register(docs_app, "portal-spa", operator=operator, grant_types=grant_types)
    holder.discover("http://localhost")
    url, _ = holder.authorization_url(client_id="portal-spa", redirect_uri=SPA, scope="birth_certificate")
    response = web.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    answer = _query(response.headers["Location"])
    assert response.headers["Location"].startswith(SPA + "?")
    assert answer["error"] == "unauthorized_client" and answer["state"] == "st-wallet"
    assert answer["error_description"]


def test_a_registered_wallet_is_still_answered(web, birth, holder, wallet_client, signed_in):
    holder.discover("http://localhost")
    url, _ = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK, scope="birth_certificate")
    assert web.get(urlsplit(url).path + "?" + urlsplit(url).query).status_code == 200
