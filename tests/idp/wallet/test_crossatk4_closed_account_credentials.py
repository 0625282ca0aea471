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
