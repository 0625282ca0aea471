"""A wallet client an operator registers again (`upsert_operator_client`) with a
token_endpoint_auth_method other than `none` requires client authentication from then on,
which /wallet/token does not take (a wallet keeps no secret: only public clients are wallets,
`authorization.parse`). A code issued before the change is then redeemed under the client's
current registration, not the one it had at the consent (RFC 6749 sections 3.2.1 and 5.2,
invalid_client), and a request kept on the consent page is no longer answered with a code.
Before: /wallet/token redeemed the code on client_id and PKCE alone, without the client
authentication the registration now requires, and gave the access token."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.idp.wallet.test_oidcatk12_no_longer_a_wallet import CALLBACK, WALLET, _code
from tests.support.wallet import register_wallet_client

METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
REFUSED = ("this client's registration now requires client authentication "
           "(token_endpoint_auth_method {method}), which /wallet/token does not take: a wallet is a "
           "public client (token_endpoint_auth_method none); ask Cédula's operators to register it "
           "so, then start a new authorization request (RFC 6749 section 5.2)")


@pytest.fixture
def wallet_client(docs_app):
    return register_wallet_client(docs_app, WALLET, CALLBACK)


def _reregister(app, method: str) -> None:
    """As `cedula clients ...` would: the operator's new registration of the same client_id."""
    from clients.registry.services import upsert_operator_client
    from infra.db import get_db

    metadata = {"client_name": "Cartera Ejemplo", "redirect_uris": [CALLBACK],
                "token_endpoint_auth_method": method, "grant_types": ["authorization_code"],
                "scope": "openid"}
    if method == "private_key_jwt":
        metadata["jwks"] = {"keys": [{"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256",
                                      "kid": "wallet-1",
                                      "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                                      "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}
    with get_db(app).transaction() as session:
        upsert_operator_client(session, client_id=WALLET, metadata=metadata,
                               fetch_sector=lambda uri: [CALLBACK])


@pytest.mark.parametrize("method", METHODS)
def test_a_code_issued_before_the_client_required_authentication_gets_no_token(
        web, birth, holder, wallet_client, method):
    code, verifier = _code(web, holder)
    _reregister(web.application, method)
    reply = holder.token_with_code(code=code, client_id=WALLET, redirect_uri=CALLBACK, verifier=verifier)
    assert reply.status == 401, reply.text
    assert reply.body == {"error": "invalid_client", "error_description": REFUSED.format(method=method)}


@pytest.mark.parametrize("method", METHODS)
def test_a_kept_request_is_not_answered_with_a_code_once_the_client_requires_authentication(
        web, birth, holder, wallet_client, method):
    holder.discover("http://localhost")
    url, _ = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK, scope="birth_certificate")
    html = web.get(urlsplit(url).path + "?" + urlsplit(url).query).get_data(as_text=True)
    _reregister(web.application, method)
    response = web.post("/wallet/authorize", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
        "interaction": re.search(r'name="interaction" value="([^"]+)"', html).group(1),
        "decision": "allow"})
    assert response.status_code == 303 and response.headers["Location"].startswith(CALLBACK + "?")
    answer = parse_qs(urlsplit(response.headers["Location"]).query)
    assert "code" not in answer and answer["error"] == ["unauthorized_client"], answer
