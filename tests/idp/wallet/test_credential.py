"""OpenID4VCI issuing in-process: the offer, the pre-authorized grant, key proofs, the SD-JWT VC."""

from __future__ import annotations

import time

from tests.idp.wallet.conftest import new_offer


def test_birth_certificate_issued_as_sd_jwt_vc_bound_to_the_holder_key(web, birth, holder):
    link, tx_code = new_offer(web, birth["id"])
    assert link.startswith("openid-credential-offer://?credential_offer_uri=")
    held = holder.receive(link, tx_code)
    header, payload = held.header, held.payload
    assert header["typ"] == "dc+sd-jwt" and header["alg"] == "ES256" and len(header["x5c"]) == 2
    assert payload["vct"].endswith("/wallet/types/birth")
    assert payload["cnf"]["jwk"]["x"] == holder.key.as_dict(private=False)["x"]
    assert payload["issuing_country"] and payload["issuing_authority"]
    assert "given_names" not in payload and "born_on" not in payload  # disclosable only
    assert payload["status"]["status_list"]["uri"].startswith("http")
    assert len(held.parsed.disclosures) >= 10
    assert holder.notify(held.notification_id).status == 204


def test_wrong_nonce_audience_typ_and_replayed_nonce_are_refused(web, birth, holder):
    link, tx_code = new_offer(web, birth["id"])
    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    assert holder.token(offer, tx_code).status == 200
    configuration = offer["credential_configuration_ids"][0]

    wrong_nonce = holder.request_credential(configuration, [holder.proof(nonce="x" * 43)])
    assert (wrong_nonce.status, wrong_nonce.body["error"]) == (400, "invalid_nonce")
    wrong_aud = holder.request_credential(
        configuration, [holder.proof(nonce=holder.nonce(), audience="https://evil.example")])
    assert (wrong_aud.status, wrong_aud.body["error"]) == (400, "invalid_proof")
    old = holder.request_credential(
        configuration, [holder.proof(nonce=holder.nonce(), iat=int(time.time()) - 3600)])
    assert old.body["error"] == "invalid_proof"
    wrong_typ = holder.request_credential(configuration, [holder.proof(nonce=holder.nonce(), typ="JWT")])
    assert wrong_typ.body["error"] == "invalid_proof"
    with_iss = holder.request_credential(configuration, [holder.proof(nonce=holder.nonce(), issuer="x")])
    assert with_iss.body["error"] == "invalid_proof" and "anonymously" in with_iss.body["error_description"]

    c_nonce = holder.nonce()
    first = holder.request_credential(configuration, [holder.proof(nonce=c_nonce)])
    assert first.status == 200, first.text
    replay = holder.request_credential(configuration, [holder.proof(nonce=c_nonce)])
    assert (replay.status, replay.body["error"]) == (400, "invalid_nonce")


def test_pre_authorized_code_needs_the_transaction_code_and_works_once(web, birth, holder):
    link, tx_code = new_offer(web, birth["id"])
    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    wrong = holder.token(offer, "000000" if tx_code != "000000" else "111111")
    assert (wrong.status, wrong.body["error"]) == (400, "invalid_grant")
    assert holder.token(offer, tx_code).status == 200
    again = holder.token(offer, tx_code)
    assert (again.status, again.body["error"]) == (400, "invalid_grant")


def test_credential_endpoint_needs_the_token(web, birth, holder):
    link, _ = new_offer(web, birth["id"])
    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    reply = holder.request_credential(offer["credential_configuration_ids"][0],
                                      [holder.proof(nonce=holder.nonce())], access_token="nope")
    assert reply.status == 401 and reply.body["error"] == "invalid_token"
    assert "invalid_token" in reply.headers["WWW-Authenticate"]
