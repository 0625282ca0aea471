"""A wallet whose registration stopped making it a wallet (`is_wallet`: its grant_types no
longer include authorization_code, RFC 7591 section 2, or it is no longer an operator's
registration) between the citizen's consent and the code's redemption gets no access token
(RFC 6749 section 5.2, unauthorized_client), and an access token it was given before gets no
credential (RFC 6750 section 3.1, invalid_token): the consent page already re-checked it
(small20), the token and credential endpoints only checked that the client was enabled, so a
client turned into an agency portal (or a self-registered one) still received the citizen's
birth certificate bound to its key."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tests.support.wallet import register_wallet_client

WALLET = "cartera-cambiada"
CALLBACK = "https://wallet.example/callback"
CHANGES = ["grant_types", "operator_registered"]


@pytest.fixture
def wallet_client(docs_app):
    return register_wallet_client(docs_app, WALLET, CALLBACK)


def _no_longer_a_wallet(app, change: str) -> None:
    from clients.registry.models import Client
    from infra.db import get_db

    with get_db(app).transaction() as session:
        client = session.scalar(sa.select(Client).where(Client.client_id == WALLET))
        if change == "grant_types":  # as an operator's new registration without the code grant
            client.client_metadata = {**client.client_metadata, "grant_types": ["refresh_token"]}
        else:
            client.operator_registered = False


def _code(web, holder) -> tuple[str, str]:
    """The signed-in citizen allows the wallet's request: (code, verifier)."""
    holder.discover("http://localhost")
    url, verifier = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK, scope="birth_certificate")
    page = web.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert page.status_code == 200, page.get_data(as_text=True)[:400]
    html = page.get_data(as_text=True)
    response = web.post("/wallet/authorize", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
        "interaction": re.search(r'name="interaction" value="([^"]+)"', html).group(1),
        "decision": "allow"})
    assert response.status_code == 303 and response.headers["Location"].startswith(CALLBACK + "?")
    return parse_qs(urlsplit(response.headers["Location"]).query)["code"][0], verifier


@pytest.mark.parametrize("change", CHANGES)
def test_a_code_issued_before_the_client_stopped_being_a_wallet_gets_no_token(
        web, birth, holder, wallet_client, change):
    code, verifier = _code(web, holder)
    _no_longer_a_wallet(web.application, change)
    reply = holder.token_with_code(code=code, client_id=WALLET, redirect_uri=CALLBACK, verifier=verifier)
    assert (reply.status, reply.body["error"]) == (400, "unauthorized_client"), reply.text
    assert "access_token" not in reply.body


@pytest.mark.parametrize("change", CHANGES)
def test_a_token_issued_before_the_client_stopped_being_a_wallet_gets_no_credential(
        web, birth, holder, wallet_client, change):
    code, verifier = _code(web, holder)
    assert holder.token_with_code(code=code, client_id=WALLET, redirect_uri=CALLBACK,
                                  verifier=verifier).status == 200
    _no_longer_a_wallet(web.application, change)
    reply = holder.request_credential("birth_dc+sd-jwt", [holder.proof(nonce=holder.nonce(), issuer=WALLET)])
    assert (reply.status, reply.body["error"]) == (401, "invalid_token"), reply.text
    assert "credentials" not in reply.body
