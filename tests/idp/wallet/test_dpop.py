"""DPoP-bound access tokens (RFC 9449) at the wallet's token and credential endpoints: the
server's nonce first, then a token bound to the wallet's DPoP key, usable only with proofs
of that key under the DPoP scheme."""

from __future__ import annotations

from joserfc.jwk import ECKey

from tests.idp.wallet.conftest import new_offer


def test_a_dpop_bound_token_needs_proofs_of_its_key(web, birth, holder):
    holder.dpop_key = ECKey.generate_key("P-256")
    link, tx_code = new_offer(web, birth["id"])
    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    assert "ES256" in holder.authorization_server()["dpop_signing_alg_values_supported"]
    # the first proof has no server nonce: use_dpop_nonce, the code is not spent, the retry works
    assert holder.dpop_nonce is None
    token = holder.token(offer, tx_code)
    assert token.status == 200 and holder.dpop_nonce, token.text
    assert token.body["token_type"] == "DPoP"
    configuration = offer["credential_configuration_ids"][0]
    reply = holder.request_credential(configuration, [holder.proof(nonce=holder.nonce())])
    assert reply.status == 200, reply.text

    as_bearer = holder.transport.post(
        holder.metadata["credential_endpoint"],
        json_body={"credential_configuration_id": configuration,
                   "proofs": {"jwt": [holder.proof(nonce=holder.nonce())]}},
        headers={"Authorization": f"Bearer {holder.access_token}"})
    assert as_bearer.status == 401 and as_bearer.body["error"] == "invalid_token"
    other_key = holder.transport.post(
        holder.metadata["credential_endpoint"],
        json_body={"credential_configuration_id": configuration,
                   "proofs": {"jwt": [holder.proof(nonce=holder.nonce())]}},
        headers={"Authorization": f"DPoP {holder.access_token}",
                 "DPoP": holder.dpop_proof("POST", holder.metadata["credential_endpoint"],
                                           access_token=holder.access_token,
                                           key=ECKey.generate_key("P-256"))})
    assert other_key.status == 401 and other_key.body["error"] == "invalid_token"


def test_a_bearer_token_is_refused_under_the_dpop_scheme(web, birth, holder):
    link, tx_code = new_offer(web, birth["id"])
    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    assert holder.token(offer, tx_code).body["token_type"] == "Bearer"
    holder.dpop_key = ECKey.generate_key("P-256")
    reply = holder.request_credential(offer["credential_configuration_ids"][0],
                                      [holder.proof(nonce=holder.nonce())])
    assert reply.status == 401 and "not DPoP-bound" in reply.body["error_description"]


def test_a_bad_proof_at_the_token_endpoint_spends_nothing(web, birth, holder):
    link, tx_code = new_offer(web, birth["id"])
    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    token_endpoint = holder.authorization_server()["token_endpoint"]
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
            ["pre-authorized_code"], "tx_code": tx_code}
    bad = holder.transport.post(token_endpoint, form=form, headers={"DPoP": "not.a.proof"})
    assert bad.status == 400 and bad.body["error"] == "invalid_dpop_proof"
    assert holder.token(offer, tx_code).status == 200
