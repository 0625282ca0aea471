"""A pre-authorized code presented again with its transaction code (RFC 6749 section 4.1.2
in spirit, as the wallet authorization code already is): the second exchange is refused and
the access token of the first use stops working; a replay without the transaction code (one
who only saw the QR code) revokes nothing. And a consent answered after the client stopped
being a wallet gives unauthorized_client, not a code."""

from __future__ import annotations

import pytest

from tests.idp.wallet.conftest import new_offer
from tests.support.parts import store_for


def test_a_replayed_pre_authorized_code_revokes_the_access_token_of_its_first_use(web, birth, holder):
    link, tx_code = new_offer(web, birth["id"])
    offered = holder.resolve_offer(link)
    holder.discover(offered["credential_issuer"])
    first = holder.token(offered, tx_code)
    assert first.status == 200, first.text
    replay = holder.token(offered, tx_code)
    assert (replay.status, replay.body["error"]) == (400, "invalid_grant")
    assert "used twice" in replay.body["error_description"]
    holder.access_token = first.body["access_token"]
    configuration = offered["credential_configuration_ids"][0]
    reply = holder.request_credential(configuration, [holder.proof(nonce=holder.nonce())])
    assert (reply.status, reply.body["error"]) == (401, "invalid_token"), reply.text


@pytest.fixture(params=["memory", "redis"])
def store(request):
    yield from store_for(request.param, "small20-preauth-replay")


def _made(store):
    from idp.wallet import offer

    return offer.create(store, credential_issuer="https://i", authorization_server="https://i",
                        document_id="d1", citizen_id="c1", configuration_id="birth_dc+sd-jwt", ttl=60,
                        tx_code_length=6, tx_code_attempts=3)


def test_replay_with_the_tx_code_voids_the_grant_on_both_stores(store):
    from idp.wallet import offer
    from idp.wallet.errors import InvalidGrant

    made = _made(store)
    grant = offer.redeem(store, code=made.code, tx_code=made.tx_code, ttl=60, replay_ttl=60)
    token = offer.issue_token(store, grant, ttl=60)
    assert offer.revoked(store, offer.check_token(store, token, scheme="Bearer", jkt=None)) is False
    with pytest.raises(InvalidGrant, match="used twice"):
        offer.redeem(store, code=made.code, tx_code=made.tx_code, ttl=60, replay_ttl=60)
    assert offer.revoked(store, offer.check_token(store, token, scheme="Bearer", jkt=None)) is True


def test_replay_without_the_tx_code_revokes_nothing(store):
    from idp.wallet import offer
    from idp.wallet.errors import InvalidGrant

    made = _made(store)
    grant = offer.redeem(store, code=made.code, tx_code=made.tx_code, ttl=60, replay_ttl=60)
    token = offer.issue_token(store, grant, ttl=60)
    wrong = "1" if made.tx_code[0] != "1" else "2"
    for tx_code in (None, wrong + made.tx_code[1:]):
        with pytest.raises(InvalidGrant, match="unknown, expired or already used"):
            offer.redeem(store, code=made.code, tx_code=tx_code, ttl=60, replay_ttl=60)
    assert offer.revoked(store, offer.check_token(store, token, scheme="Bearer", jkt=None)) is False


def test_a_code_withdrawn_after_wrong_tx_codes_leaves_no_replay_mark(store):
    from idp.wallet import offer
    from idp.wallet.errors import InvalidGrant

    made = _made(store)
    wrong = "1" if made.tx_code[0] != "1" else "2"
    for _ in range(3):
        with pytest.raises(InvalidGrant):
            offer.redeem(store, code=made.code, tx_code=wrong + made.tx_code[1:], ttl=60, replay_ttl=60)
    with pytest.raises(InvalidGrant, match="unknown, expired or already used"):
        offer.redeem(store, code=made.code, tx_code=made.tx_code, ttl=60, replay_ttl=60)


def _no_longer_a_wallet(app, change: str) -> None:
    """The wallet's registration changed while the citizen had the consent page open."""
    import sqlalchemy as sa

    from clients.registry.models import Client
    from infra.db import get_db
    from tests.idp.wallet.test_authorization import WALLET

    with get_db(app).transaction() as session:
        client = session.scalar(sa.select(Client).where(Client.client_id == WALLET))
        if change == "grant_types":  # as a PUT /register (RFC 7592) that drops the code grant
            client.client_metadata = {**client.client_metadata, "grant_types": ["refresh_token"]}
        else:
            client.operator_registered = False


@pytest.mark.parametrize("change", ["grant_types", "operator_registered"])
def test_a_consent_answered_after_the_client_stopped_being_a_wallet_gives_no_code(
        web, docs_app, birth, holder, signed_in, change):
    import re
    from urllib.parse import urlsplit

    from tests.idp.wallet.test_authorization import CALLBACK, WALLET, _query
    from tests.support.wallet import register_wallet_client

    register_wallet_client(docs_app, WALLET, CALLBACK)
    holder.discover("http://localhost")
    url, _ = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK, scope="birth_certificate")
    page = web.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert page.status_code == 200, page.get_data(as_text=True)[:400]
    html = page.get_data(as_text=True)
    _no_longer_a_wallet(docs_app, change)
    response = web.post("/wallet/authorize", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
        "interaction": re.search(r'name="interaction" value="([^"]+)"', html).group(1),
        "decision": "allow"})
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    assert response.headers["Location"].startswith(CALLBACK + "?")
    answer = _query(response.headers["Location"])
    assert "code" not in answer
    assert (answer["error"], answer["state"]) == ("unauthorized_client", "st-wallet")
    assert answer["error_description"]
