"""A wallet authorization code is found only under its client, redirect URI and PKCE
challenge (as the agency /token path, idp.oidc.codes): a request lacking any of them (a wrong
code_verifier, another registered wallet, another redirect URI) takes nothing, so whoever
sees a code cannot burn it (nor revoke its wallet's token by "replaying" it)."""
# ruff: noqa: F811 - the fixture imported below is a parameter of the tests

from __future__ import annotations

from tests.idp.wallet.test_authorization import CALLBACK, WALLET, _consent, wallet_client  # noqa: F401
from tests.support.wallet import register_wallet_client

OTHER = "otra-cartera"
OTHER_CALLBACK = "https://otra.example/callback"


def test_a_seen_code_cannot_be_burnt_by_a_wrong_verifier_or_another_wallet(web, docs_app, birth, holder,
                                                                           wallet_client, signed_in):
    register_wallet_client(docs_app, OTHER, OTHER_CALLBACK)
    register_wallet_client(docs_app, WALLET + "-2", CALLBACK)
    holder.discover("http://localhost")
    url, verifier = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK, scope="birth_certificate")
    code = _consent(web, url)["code"]
    attempts = [dict(client_id=WALLET, redirect_uri=CALLBACK, verifier="x" * 43),
                dict(client_id=OTHER, redirect_uri=OTHER_CALLBACK, verifier=verifier),
                dict(client_id=WALLET + "-2", redirect_uri=CALLBACK, verifier=verifier),
                dict(client_id=WALLET, redirect_uri=CALLBACK + "/x", verifier=verifier)]
    for attempt in attempts:
        for _ in range(2):  # twice: a "replay" by a bystander revokes nothing either
            wrong = holder.token_with_code(code=code, **attempt)
            assert (wrong.status, wrong.body["error"]) == (400, "invalid_grant"), (attempt, wrong.text)
    token = holder.token_with_code(code=code, client_id=WALLET, redirect_uri=CALLBACK, verifier=verifier)
    assert token.status == 200, token.text
    reply = holder.request_credential("birth_dc+sd-jwt", [holder.proof(nonce=holder.nonce(), issuer=WALLET)])
    assert reply.status == 200, reply.text
