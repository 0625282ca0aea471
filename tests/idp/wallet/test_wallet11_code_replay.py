"""A wallet authorization code presented twice (RFC 6749 section 4.1.2: the server SHOULD
revoke all tokens previously issued based on that code): the second exchange is refused and
the access token of the first stops working at the credential and notification endpoints,
on the in-process store and on Redis."""
# ruff: noqa: F811 - the fixture imported below is a parameter of the tests

from __future__ import annotations

import pytest

from tests.idp.wallet.test_authorization import CALLBACK, WALLET, _consent, wallet_client  # noqa: F401
from tests.support.parts import store_for


def test_a_replayed_code_revokes_the_access_token_of_its_first_use(web, birth, holder, wallet_client,
                                                                  signed_in):
    holder.discover("http://localhost")
    url, verifier = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK, scope="birth_certificate")
    code = _consent(web, url)["code"]
    first = holder.token_with_code(code=code, client_id=WALLET, redirect_uri=CALLBACK, verifier=verifier)
    assert first.status == 200, first.text
    replay = holder.token_with_code(code=code, client_id=WALLET, redirect_uri=CALLBACK, verifier=verifier)
    assert (replay.status, replay.body["error"]) == (400, "invalid_grant")
    holder.access_token = first.body["access_token"]
    reply = holder.request_credential("birth_dc+sd-jwt", [holder.proof(nonce=holder.nonce(), issuer=WALLET)])
    assert (reply.status, reply.body["error"]) == (401, "invalid_token"), reply.text
    notified = web.post("/wallet/notification", json={"notification_id": "x", "event": "credential_accepted"},
                        headers={"Authorization": "Bearer " + first.body["access_token"]})
    assert notified.status_code == 401, notified.get_data(as_text=True)


@pytest.fixture(params=["memory", "redis"])
def store(request):
    yield from store_for(request.param, "wallet11-replay")


def test_replay_voids_the_grant_on_both_stores(store):
    import base64
    import hashlib

    from idp.wallet import authorization, offer
    from idp.wallet.errors import InvalidGrant

    verifier = "v" * 43
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    asked = authorization.CredentialRequest(
        client_id=WALLET, client_name="W", redirect_uri=CALLBACK, state=None, code_challenge=challenge,
        configuration_id="birth_dc+sd-jwt", template="birth", issuer_state=None, by_details=False)
    code = authorization.issue_code(store, asked, document_id="d1", citizen_id="c1")
    form = {"code": code, "client_id": WALLET, "redirect_uri": CALLBACK, "code_verifier": verifier}
    grant = authorization.redeem(store, form, replay_ttl=60)
    token = offer.issue_token(store, grant, ttl=60)
    assert offer.revoked(store, offer.check_token(store, token, scheme="Bearer", jkt=None)) is False
    with pytest.raises(InvalidGrant):
        authorization.redeem(store, form, replay_ttl=60)
    assert offer.revoked(store, offer.check_token(store, token, scheme="Bearer", jkt=None)) is True
