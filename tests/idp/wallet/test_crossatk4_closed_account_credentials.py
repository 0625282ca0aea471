"""Closing an account revokes the wallet credentials of its documents (crossatk4, known from
round 3): a closed account's credential must not go on verifying as valid in its Token Status
List. The documents themselves stay verifiable (the closure keeps them); the holder-bound
credentials, which present the person, are invalid from the closure's transaction on."""

from __future__ import annotations

import json
from base64 import urlsafe_b64decode
from urllib.parse import urlsplit

import sqlalchemy as sa

from idp.wallet import status_list
from idp.wallet.models import IssuedCredential
from infra.db import get_db
from tests.idp.conftest import csrf, recheck
from tests.idp.documents.conftest import agency_token
from tests.idp.wallet.conftest import issue, new_offer


def _bit(web, reference) -> int:
    token = web.get(urlsplit(reference["uri"]).path).get_data(as_text=True)
    claims = json.loads(urlsafe_b64decode(token.split(".")[1] + "=="))
    return status_list.decode_status(claims["status_list"]["lst"], reference["idx"])


def test_closing_the_account_turns_its_wallet_credentials_invalid(web, agency, signed_in, holder):
    citizen, sub = signed_in
    token = agency_token(web, agency)
    birth = issue(web, token, subject=sub)
    link, tx_code = new_offer(web, birth["id"])
    reference = holder.receive(link, tx_code).payload["status"]["status_list"]
    assert _bit(web, reference) == status_list.VALID

    assert recheck(web, citizen.key).status_code == 200
    closed = web.post("/account/close", data={"csrf_token": csrf(web, "/account/close"), "confirm": "close"})
    assert closed.status_code == 200, closed.get_data(as_text=True)[:300]

    assert _bit(web, reference) == status_list.INVALID
    with get_db(web.application).read() as session:
        row = session.scalars(sa.select(IssuedCredential)
                              .where(IssuedCredential.document_id == birth["id"])).one()
        assert row.revoked_at is not None
    # The document itself stays verifiable by its code (closure keeps issued documents).
    assert web.get(f"/api/verify/{birth['csv']}").get_json()["document"]["status"] == "valid"


def test_an_offer_made_before_the_closure_issues_nothing_after_it(web, agency, signed_in, holder):
    """An offer (or a wallet's code) that names no passkey (`passkey=None`: "not known", one
    kept from before offers recorded it) is redeemed by a wallet after the account was closed.
    No deleted passkey ends it, so the account itself is checked when it is redeemed. (Offers
    made now name the passkey the session was checked with; the closure deletes it, which
    `_passkey_holds` refuses as well.)"""
    from idp.wallet.service import get_wallet
    from signing.models import Document

    citizen, sub = signed_in
    birth = issue(web, agency_token(web, agency), subject=sub)
    app = web.application
    with app.test_request_context():
        wallet = get_wallet()
        with get_db(app).read() as session:
            document = session.get(Document, birth["id"])
        made = wallet.offer(document, citizen_id=citizen.citizen_id, passkey=None)
        link = made.uri(wallet.settings.credential_issuer)

    assert recheck(web, citizen.key).status_code == 200
    closed = web.post("/account/close", data={"csrf_token": csrf(web, "/account/close"), "confirm": "close"})
    assert closed.status_code == 200

    offer = holder.resolve_offer(link)
    holder.discover(offer["credential_issuer"])
    token = holder.token(offer, made.tx_code)
    if token.status == 200:
        reply = holder.request_credential(offer["credential_configuration_ids"][0],
                                          [holder.proof(nonce=holder.nonce())])
        assert reply.status in (400, 403, 404), reply.text
        assert "credentials" not in (reply.body or {})
    with get_db(app).read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)
                              .where(IssuedCredential.document_id == birth["id"])) == 0


def test_closing_the_account_erases_the_data_kept_for_wallet_credentials(web, agency, signed_in):
    """What was kept of each issued document to offer it later as a credential (its template
    data: names, birth dates, national ID) is erased with the account: nothing can be offered
    from a closed account, and the closure erases personal data beyond what must be kept (the
    sealed documents themselves stay, verifiable)."""
    from idp.wallet.models import CredentialData

    citizen, sub = signed_in
    birth = issue(web, agency_token(web, agency), subject=sub)
    with get_db(web.application).read() as session:
        assert session.get(CredentialData, birth["id"]) is not None

    assert recheck(web, citizen.key).status_code == 200
    closed = web.post("/account/close", data={"csrf_token": csrf(web, "/account/close"), "confirm": "close"})
    assert closed.status_code == 200

    with get_db(web.application).read() as session:
        assert session.get(CredentialData, birth["id"]) is None
    assert web.get(f"/api/verify/{birth['csv']}").get_json()["document"]["status"] == "valid"
