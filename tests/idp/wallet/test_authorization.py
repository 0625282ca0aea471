"""The authorization code flow with Cédula as authorization server (OpenID4VCI 1.0, section 5):
a registered public wallet client, PKCE S256, scope or authorization_details, issuer_state
from an offer; the citizen agrees; the code is single-use and found only under its client,
redirect URI and verifier."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.idp.wallet.conftest import new_offer
from tests.support.wallet import register_wallet_client

WALLET = "cartera-ejemplo"
CALLBACK = "https://wallet.example/callback"


@pytest.fixture
def wallet_client(docs_app):
    return register_wallet_client(docs_app, WALLET, CALLBACK)


def _query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _consent(web, url: str, decision: str = "allow") -> dict[str, str]:
    """The signed-in citizen opens the wallet's authorization request and answers."""
    page = web.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert page.status_code == 200, page.get_data(as_text=True)[:400]
    html = page.get_data(as_text=True)
    assert "Cartera Ejemplo" in html
    response = web.post("/wallet/authorize", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
        "interaction": re.search(r'name="interaction" value="([^"]+)"', html).group(1),
        "decision": decision})
    assert response.status_code == 303 and response.headers["Location"].startswith(CALLBACK + "?")
    return _query(response.headers["Location"])


def test_scope_request_gives_a_credential_for_the_citizens_document(web, birth, holder, wallet_client,
                                                                    signed_in):
    holder.discover("http://localhost")
    metadata = holder.authorization_server()
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    url, verifier = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK,
                                             scope="birth_certificate")
    answer = _consent(web, url)
    assert answer["state"] == "st-wallet" and answer["iss"] == "http://localhost/wallet"
    wrong = holder.token_with_code(code=answer["code"], client_id=WALLET, redirect_uri=CALLBACK,
                                   verifier="x" * 43)
    assert (wrong.status, wrong.body["error"]) == (400, "invalid_grant")
    # the failed attempt took nothing (the code is found only with its verifier): whoever sees a
    # code cannot burn it; a stolen code with a guessed verifier is worthless all the same
    again = holder.token_with_code(code=answer["code"], client_id=WALLET, redirect_uri=CALLBACK,
                                   verifier=verifier)
    assert again.status == 200, again.text

    url, verifier = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK,
                                             configuration_id="birth_dc+sd-jwt")
    answer = _consent(web, url)
    token = holder.token_with_code(code=answer["code"], client_id=WALLET, redirect_uri=CALLBACK,
                                   verifier=verifier)
    assert token.status == 200, token.text
    foreign = holder.request_credential("birth_dc+sd-jwt",
                                        [holder.proof(nonce=holder.nonce(), issuer="otra-cartera")])
    assert (foreign.status, foreign.body["error"]) == (400, "invalid_proof")
    reply = holder.request_credential("birth_dc+sd-jwt",
                                      [holder.proof(nonce=holder.nonce(), issuer=WALLET)])
    assert reply.status == 200, reply.text
    from tests.idp.documents.test_revocation_and_log import _log

    entries = _log(web.application, signed_in[0].citizen_id)
    assert ("wallet.credential_issued", WALLET, birth["id"]) in entries
    replay = holder.token_with_code(code=answer["code"], client_id=WALLET, redirect_uri=CALLBACK,
                                    verifier=verifier)
    assert replay.body["error"] == "invalid_grant"


def test_issuer_state_from_the_offer_names_the_document(web, birth, holder, wallet_client):
    link, _ = new_offer(web, birth["id"])
    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    issuer_state = offer["grants"]["authorization_code"]["issuer_state"]
    url, verifier = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK,
                                             scope="birth_certificate", issuer_state=issuer_state)
    answer = _consent(web, url)
    assert holder.token_with_code(code=answer["code"], client_id=WALLET, redirect_uri=CALLBACK,
                                  verifier=verifier).status == 200
    reply = holder.request_credential("birth_dc+sd-jwt", [holder.proof(nonce=holder.nonce())])
    assert reply.status == 200
    from idp.wallet import sd_jwt
    from tests.support.wallet import HeldCredential

    disclosed = sd_jwt.reconstruct(HeldCredential(reply.body["credentials"][0]["credential"]).payload,
                                   HeldCredential(reply.body["credentials"][0]["credential"]).parsed.disclosures)
    assert disclosed["verification_code"] == birth["csv"]


def test_refusals(web, birth, holder, wallet_client):
    holder.discover("http://localhost")
    # an unknown client or a redirect URI not registered: a page, never a redirect
    url, _ = holder.authorization_url(client_id="nadie", redirect_uri=CALLBACK, scope="birth_certificate")
    assert web.get(urlsplit(url).path + "?" + urlsplit(url).query).status_code == 400
    url, _ = holder.authorization_url(client_id=WALLET, redirect_uri="https://evil.example/cb",
                                      scope="birth_certificate")
    page = web.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert page.status_code == 400 and "Location" not in page.headers
    # plain PKCE and unknown credentials go back to the wallet with the error
    url, _ = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK,
                                      scope="birth_certificate", method="plain")
    response = web.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert response.status_code == 303 and _query(response.headers["Location"])["error"] == "invalid_request"
    url, _ = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK, scope="passport")
    response = web.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert _query(response.headers["Location"])["error"] == "invalid_scope"
    # no residence certificate: access_denied
    url, _ = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK,
                                      scope="residence_certificate")
    response = web.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert _query(response.headers["Location"])["error"] == "access_denied"
    # the citizen says no
    url, _ = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK, scope="birth_certificate")
    assert _consent(web, url, decision="deny")["error"] == "access_denied"


def test_signed_out_citizens_are_sent_to_sign_in_first(docs_app, birth, holder, wallet_client):
    holder.discover("http://localhost")
    url, _ = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK, scope="birth_certificate")
    response = docs_app.test_client().get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_oversized_or_repeated_parameters_are_refused(web, birth, holder, wallet_client, signed_in):
    """The same limits as the OIDC authorization endpoint (idp.oidc.parameters): a parameter
    longer than its limit is refused with invalid_request, never accepted nor echoed back; an
    oversized client_id is a page (400), never a redirect."""
    holder.discover("http://localhost")
    for name, value in (("issuer_state", "x" * 5000), ("scope", "birth_certificate " + "y" * 2000),
                        ("authorization_details", "[" + " " * 9000 + "]"), ("state", "s" * 3000)):
        url, _ = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK,
                                          scope="birth_certificate")
        query = {k: v for k, v in parse_qs(urlsplit(url).query).items() if k != name}
        query[name] = [value]
        response = web.get(urlsplit(url).path, query_string=query)
        assert response.status_code == 303, (name, response.status_code)
        answer = _query(response.headers["Location"])
        assert answer["error"] == "invalid_request", (name, answer)
        assert f"{name} is longer than" in answer["error_description"]
        assert "state" not in answer or len(answer["state"]) < 100
    url, _ = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK, scope="birth_certificate")
    query = parse_qs(urlsplit(url).query)
    query["state"] = ["a", "b"]
    response = web.get(urlsplit(url).path, query_string=query)
    assert response.status_code in (303, 400) and response.status_code != 500
    query = parse_qs(urlsplit(url).query)
    query["client_id"] = ["c" * 5000]
    response = web.get(urlsplit(url).path, query_string=query)
    assert response.status_code == 400 and "Location" not in response.headers
