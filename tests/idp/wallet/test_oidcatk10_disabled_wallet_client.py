"""A wallet client (OpenID4VCI 1.0 section 5) an operator disables (or whose registration is
deleted, RFC 7592 section 2.3) gets nothing more of the citizen's documents: not a code from a
consent page shown before, nor a token for a code issued before, nor a credential for a token
issued before. The OIDC side already held the same rule (its decision page answers only an
enabled agency at a redirect URI it still registers; its tokens die with the client); the
wallet flow answered whatever it had kept, so a wallet taken off the register (a malicious
app found out) still received the citizen's birth certificate bound to its key."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.wallet import register_wallet_client

WALLET = "cartera-retirada"
CALLBACK = "https://wallet.example/callback"


@pytest.fixture
def wallet_client(docs_app):
    return register_wallet_client(docs_app, WALLET, CALLBACK)


def _disable(app, client_id: str) -> None:
    from clients.registry.services import set_enabled
    from infra.db import get_db

    with get_db(app).transaction() as session:
        set_enabled(session, client_id, enabled=False)


def _consent_page(web, holder) -> tuple[str, str, str]:
    """The signed-in citizen opens the wallet's request: (csrf token, interaction, verifier)."""
    holder.discover("http://localhost")
    url, verifier = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK, scope="birth_certificate")
    page = web.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert page.status_code == 200, page.get_data(as_text=True)[:400]
    html = page.get_data(as_text=True)
    return (re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
            re.search(r'name="interaction" value="([^"]+)"', html).group(1), verifier)


def _allow(web, token: str, interaction: str):
    return web.post("/wallet/authorize", data={"csrf_token": token, "interaction": interaction,
                                               "decision": "allow"})


def _code(response) -> str:
    assert response.status_code == 303 and response.headers["Location"].startswith(CALLBACK + "?")
    return parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]


def test_a_consent_page_shown_before_the_wallet_was_disabled_sends_it_no_code(web, birth, holder,
                                                                             wallet_client):
    token, interaction, _verifier = _consent_page(web, holder)
    _disable(web.application, WALLET)
    response = _allow(web, token, interaction)
    assert response.status_code == 400, response.headers.get("Location")
    assert "Location" not in response.headers


def test_a_code_issued_before_the_wallet_was_disabled_gets_no_token(web, birth, holder, wallet_client):
    token, interaction, verifier = _consent_page(web, holder)
    code = _code(_allow(web, token, interaction))
    _disable(web.application, WALLET)
    reply = holder.token_with_code(code=code, client_id=WALLET, redirect_uri=CALLBACK, verifier=verifier)
    assert (reply.status, reply.body["error"]) == (401, "invalid_client"), reply.text


def test_a_token_issued_before_the_wallet_was_disabled_gets_no_credential(web, birth, holder, wallet_client):
    token, interaction, verifier = _consent_page(web, holder)
    code = _code(_allow(web, token, interaction))
    assert holder.token_with_code(code=code, client_id=WALLET, redirect_uri=CALLBACK,
                                  verifier=verifier).status == 200
    _disable(web.application, WALLET)
    reply = holder.request_credential("birth_dc+sd-jwt", [holder.proof(nonce=holder.nonce(), issuer=WALLET)])
    assert (reply.status, reply.body["error"]) == (401, "invalid_token"), reply.text
