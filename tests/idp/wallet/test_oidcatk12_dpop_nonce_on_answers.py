"""RFC 9449 sections 8 and 9: with nonces required (oidc.dpop_require_nonce), the wallet's
token and credential endpoints give the nonce the next proof must carry (`DPoP-Nonce`) on
their answers to a request carrying a proof, as /token and /userinfo do; before, only a
use_dpop_nonce refusal carried it, so a wallet's credential request after a nonce rollover
was refused once first."""

from __future__ import annotations

from joserfc.jwk import ECKey

from tests.idp.wallet.conftest import new_offer


def _nonce(reply) -> str | None:
    return {name.lower(): value for name, value in reply.headers.items()}.get("dpop-nonce")


def test_the_token_and_credential_answers_to_a_dpop_request_carry_the_nonce(web, birth, holder):
    holder.dpop_key = ECKey.generate_key("P-256")
    link, tx_code = new_offer(web, birth["id"])
    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    token = holder.token(offer, tx_code)
    assert token.status == 200 and token.body["token_type"] == "DPoP", token.text
    assert _nonce(token), token.headers
    reply = holder.request_credential(offer["credential_configuration_ids"][0], [holder.proof(nonce=holder.nonce())])
    assert reply.status == 200, reply.text
    assert _nonce(reply), reply.headers


def test_a_bearer_credential_answer_carries_no_nonce(web, birth, holder):
    link, tx_code = new_offer(web, birth["id"])
    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    assert holder.token(offer, tx_code).body["token_type"] == "Bearer"
    reply = holder.request_credential(offer["credential_configuration_ids"][0], [holder.proof(nonce=holder.nonce())])
    assert reply.status == 200, reply.text
    assert _nonce(reply) is None
