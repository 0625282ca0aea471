"""A wallet offer (and a wallet client's code, and the access token either gives) outlives the
session that made it: the offer is good for `wallet.offer_seconds`, the token for
`wallet.access_token_seconds`. Whoever holds a lost phone makes an offer with its passkey;
the citizen deletes that passkey, which ends the phone's sessions and the grants agencies got
in them. What the phone started in the wallet must end too: before, the thief's wallet still
redeemed the offer and received the citizen's birth certificate bound to its own key."""
# ruff: noqa: F811 - the fixture imported from test_authorization is a parameter here

from __future__ import annotations

from tests.idp.account.test_pages import add_passkey
from tests.idp.conftest import csrf, recheck, sign_in
from tests.idp.wallet.conftest import new_offer
from tests.idp.wallet.test_authorization import CALLBACK, WALLET, _consent, wallet_client  # noqa: F401
from tests.support.authenticator import SoftwareAuthenticator


def _lost_phone(web, signed_in):
    """The citizen's phone passkey, and a browser of the thief signed in with it."""
    enrolled, _ = signed_in
    phone = SoftwareAuthenticator()
    add_passkey(web, phone)
    thief = web.application.test_client()
    assert sign_in(thief, phone).status_code == 200
    return enrolled, phone, thief


def _delete(web, enrolled, phone) -> None:
    """The citizen, on their computer, deletes the lost phone's passkey."""
    assert recheck(web, enrolled.key).status_code == 200
    done = web.post(f"/account/passkeys/{phone.credential_id_b64}/delete",
                    data={"csrf_token": csrf(web, "/account")})
    assert done.headers["Location"] == "/account?done=deleted"


def test_an_offer_made_with_a_deleted_passkey_is_not_redeemed(web, birth, holder, signed_in):
    enrolled, phone, thief = _lost_phone(web, signed_in)
    link, tx_code = new_offer(thief, birth["id"])
    _delete(web, enrolled, phone)
    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    refused = holder.token(offer, tx_code)
    assert (refused.status, refused.body["error"]) == (400, "invalid_grant"), refused.text
    assert "new offer" in refused.body["error_description"]


def test_a_token_taken_before_the_deletion_gets_no_credential(web, birth, holder, signed_in):
    enrolled, phone, thief = _lost_phone(web, signed_in)
    link, tx_code = new_offer(thief, birth["id"])
    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    assert holder.token(offer, tx_code).status == 200
    _delete(web, enrolled, phone)
    reply = holder.request_credential(offer["credential_configuration_ids"][0],
                                      [holder.proof(nonce=holder.nonce())])
    assert (reply.status, reply.body["error"]) == (401, "invalid_token"), reply.text


def test_an_offer_of_a_passkey_still_held_is_redeemed(web, birth, holder, signed_in):
    _, _, thief = _lost_phone(web, signed_in)
    link, tx_code = new_offer(thief, birth["id"])
    add_passkey(web, SoftwareAuthenticator())  # another change on the account: the offer stands
    held = holder.receive(link, tx_code)
    assert held.payload["vct"].endswith("/wallet/types/birth")


def test_a_wallet_clients_code_given_with_a_deleted_passkey_is_not_redeemed(
        web, birth, holder, wallet_client, signed_in):
    """The same for the authorization code flow: the thief allows their wallet client on the
    lost phone, the citizen deletes the phone's passkey before the wallet redeems the code."""
    enrolled, phone, thief = _lost_phone(web, signed_in)
    holder.discover("http://localhost")
    url, verifier = holder.authorization_url(client_id=WALLET, redirect_uri=CALLBACK,
                                             scope="birth_certificate")
    answer = _consent(thief, url)
    _delete(web, enrolled, phone)
    refused = holder.token_with_code(code=answer["code"], client_id=WALLET, redirect_uri=CALLBACK,
                                     verifier=verifier)
    assert (refused.status, refused.body["error"]) == (400, "invalid_grant"), refused.text
