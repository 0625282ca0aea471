"""Token Status List per agency; revoking the document revokes the credential; the CSV page."""

from __future__ import annotations

import json

from idp.wallet import sd_jwt_vc, status_list, trust
from tests.idp.documents.conftest import agency_token
from tests.idp.oidc.conftest import bearer
from tests.idp.wallet.conftest import new_offer, seal_root


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def test_revoking_the_document_revokes_the_credential_and_the_csv_page_shows_both(
        web, docs_app, agency, birth, holder):
    from datetime import UTC, datetime

    link, tx_code = new_offer(web, birth["id"])
    held = holder.receive(link, tx_code)
    reference = held.payload["status"]["status_list"]
    anchors = [seal_root(docs_app)]
    now = datetime.now(UTC)

    def bit() -> int:
        response = web.get(_path(reference["uri"]))
        assert response.status_code == 200 and response.mimetype == "application/statuslist+jwt"
        token = response.get_data(as_text=True)
        header = sd_jwt_vc.unverified_header(token)
        assert header["typ"] == "statuslist+jwt"
        chain = trust.check_chain(header["x5c"], anchors=anchors, now=now)
        from joserfc.jwk import ECKey

        _, claims = sd_jwt_vc.verify_jws(token, ECKey.import_key(chain.public_key_pem),
                                         [header["alg"]])
        listed = status_list.check_token_claims(claims, expected_uri=reference["uri"],
                                                now=now.timestamp())
        return status_list.decode_status(listed["lst"], reference["idx"], bits=listed["bits"])

    assert bit() == status_list.VALID
    page = web.get(f"/verify/{birth['csv']}").get_data(as_text=True)
    assert 'data-status="valid"' in page and 'id="other-form-dc-sd-jwt"' in page
    api = web.get(f"/api/verify/{birth['csv']}").get_json()
    assert api["other_forms"][0]["status"] == "valid" and api["other_forms"][0]["credentials"] == 1

    token = agency_token(web, agency)
    revoked = web.post(f"/api/documents/{birth['id']}/revoke", data=json.dumps({"reason": "Error"}),
                       content_type="application/json", headers=bearer(token))
    assert revoked.status_code == 200, revoked.get_json()
    assert bit() == status_list.INVALID
    page = web.get(f"/verify/{birth['csv']}").get_data(as_text=True)
    assert 'data-status="revoked"' in page
    assert web.get(f"/api/verify/{birth['csv']}").get_json()["other_forms"][0]["status"] == "revoked"

    # a revoked document is offered no more, and a token from before gets no credential
    assert web.get(f"/account/documents/{birth['id']}/wallet").status_code == 409
    reply = holder.request_credential(held_configuration(held), [holder.proof(nonce=holder.nonce())])
    assert (reply.status, reply.body["error"]) == (409, "not_offered")


def held_configuration(held) -> str:
    return "birth_dc+sd-jwt" if held.payload["vct"].endswith("/birth") else "residence_dc+sd-jwt"


def test_status_list_encoding_round_trips_and_unknown_lists_are_404(web):
    encoded = status_list.encode(64, [0, 9, 63])
    assert [status_list.decode_status(encoded, i) for i in (0, 1, 9, 62, 63)] == [1, 0, 1, 0, 1]
    assert web.get("/wallet/status/" + "0" * 32).status_code == 404


def test_a_document_not_issued_to_a_wallet_says_so_on_its_csv_page(web, birth):
    api = web.get(f"/api/verify/{birth['csv']}").get_json()
    assert api["other_forms"] == [{"format": "dc+sd-jwt", "status": "not_issued",
                                   "message": api["other_forms"][0]["message"], "credentials": 0}]


def test_an_unchanged_list_is_not_signed_again_but_a_revocation_shows_at_once(web, agency, birth, holder):
    link, tx_code = new_offer(web, birth["id"])
    uri = _path(holder.receive(link, tx_code).payload["status"]["status_list"]["uri"])
    first, second = web.get(uri).get_data(as_text=True), web.get(uri).get_data(as_text=True)
    assert first == second
    revoked = web.post(f"/api/documents/{birth['id']}/revoke", data=json.dumps({"reason": "Error"}),
                       content_type="application/json", headers=bearer(agency_token(web, agency)))
    assert revoked.status_code == 200
    assert web.get(uri).get_data(as_text=True) != first
