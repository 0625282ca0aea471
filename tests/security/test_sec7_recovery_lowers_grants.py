"""A recovery with a recovery code resets the account's identity proofing to low (the code
proves possession of something the account had, not who the person is); the grants agencies
hold at a higher level end with it (reason `recovery_code`), so that no refresh token keeps
asserting a level of assurance (acr, and national_id, released at its level) that the account
no longer has. A desk recovery already ended every grant; grants at level low stay.

Before, an agency's refresh token went on minting ID tokens with the substantial acr of the
sign-in before the recovery, and UserInfo went on answering for it."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from idp.oidc.models import Grant
from infra.db import get_db
from tests.idp.assurance.conftest import set_proofing
from tests.idp.conftest import csrf
from tests.idp.oidc.conftest import bearer, claims_of, exchange, get_code, token_request, tokens_for

SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"


def _recover(app, citizen) -> None:
    browser = app.test_client()
    token = csrf(browser, "/recover")
    response = browser.post("/recover", data={"csrf_token": token, "national_id": citizen.national_id,
                                              "code": citizen.codes[0]})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def _refresh(client, agency, body):
    return token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})


def test_a_recovery_code_ends_the_grants_above_the_level_left(client, register, citizen):
    agency = register(grant_types=["authorization_code", "refresh_token"], scope="openid profile offline_access")
    set_proofing(client.application, citizen.citizen_id, "substantial")
    body = tokens_for(client, agency, scope="openid profile offline_access", acr_values=SUBSTANTIAL)
    assert claims_of(body["id_token"])["acr"] == SUBSTANTIAL

    _recover(client.application, citizen)

    refused = _refresh(client, agency, body)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "invalid_grant"
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 401


def test_a_grant_at_level_low_outlives_the_recovery(client, register, citizen):
    agency = register(grant_types=["authorization_code", "refresh_token"], scope="openid profile offline_access")
    body = tokens_for(client, agency, scope="openid profile offline_access")
    low = claims_of(body["id_token"])["acr"]
    assert low != SUBSTANTIAL

    _recover(client.application, citizen)

    refreshed = _refresh(client, agency, body)
    assert refreshed.status_code == 200, refreshed.get_json()
    assert claims_of(refreshed.get_json()["id_token"])["acr"] == low


def _revoked_reasons(app, agency) -> list[str]:
    with get_db(app).read() as session:
        return list(session.scalars(sa.select(Grant.revoked_reason).where(Grant.client_id == agency.client_id,
                                                                          Grant.revoked_at.is_not(None))))


LOWERED = ("the account's identity proofing was lowered by a recovery code while this code was exchanged; "
           "sign the citizen in again (start a new authorization request)")


def _code_in_flight(client, agency, **params):
    """A code issued (at /authorize) but not yet redeemed at /token."""
    return get_code(client, agency, scope="openid profile offline_access", **params)


def test_a_code_issued_above_low_before_the_recovery_is_refused_after_it(client, register, citizen):
    agency = register(grant_types=["authorization_code", "refresh_token"], scope="openid profile offline_access")
    set_proofing(client.application, citizen.citizen_id, "substantial")
    code, flow = _code_in_flight(client, agency, acr_values=SUBSTANTIAL)

    _recover(client.application, citizen)

    refused = exchange(client, agency, code, flow)
    assert refused.status_code == 400, refused.get_json()
    # Refused for the recovery, not for a withdrawal by the citizen (before: reason `citizen`,
    # "the citizen withdrew..."), and nothing the exchange may have minted asserts the old level.
    assert refused.get_json() == {"error": "invalid_grant", "error_description": LOWERED}
    assert _revoked_reasons(client.application, agency) == ["recovery_code"]
    assert SUBSTANTIAL not in _live_levels(client.application, agency)


def _live_levels(app, agency) -> list[str]:
    """The acr of the agency's grants not revoked."""
    with get_db(app).read() as session:
        return list(session.scalars(sa.select(Grant.acr).where(Grant.client_id == agency.client_id,
                                                                Grant.revoked_at.is_(None))))


def test_a_recovery_that_lowers_the_level_leaves_the_grants_at_level_low(client, register, citizen):
    """The recovery lowers the account (substantial before it) and ends the grant held at that
    level; another agency's grant made at level low, and its refresh token, live on."""
    at_low = register(grant_types=["authorization_code", "refresh_token"], scope="openid profile offline_access")
    above = register(grant_types=["authorization_code", "refresh_token"], scope="openid profile offline_access")
    low_body = tokens_for(client, at_low, scope="openid profile offline_access")
    low = claims_of(low_body["id_token"])["acr"]
    set_proofing(client.application, citizen.citizen_id, "substantial")
    high_body = tokens_for(client, above, scope="openid profile offline_access", acr_values=SUBSTANTIAL)
    assert low != SUBSTANTIAL == claims_of(high_body["id_token"])["acr"]

    _recover(client.application, citizen)

    assert _refresh(client, above, high_body).status_code == 400
    refreshed = _refresh(client, at_low, low_body)
    assert refreshed.status_code == 200, refreshed.get_json()
    assert claims_of(refreshed.get_json()["id_token"])["acr"] == low
    assert _live_levels(client.application, at_low) == [low]


def test_a_code_issued_while_the_recovery_commits_is_refused(client, register, citizen, monkeypatch):
    """/authorize run between the recovery's withdrawal mark and its commit still reads the old
    level (substantial): the code it issues then is refused at /token, and no grant lives at the
    old level (before: the code was dated after the mark, and redeemed at substantial)."""
    from idp.account import views as account_views

    agency = register(grant_types=["authorization_code", "refresh_token"], scope="openid profile offline_access")
    set_proofing(client.application, citizen.citizen_id, "substantial")
    tokens_for(client, agency, scope="openid profile offline_access", acr_values=SUBSTANTIAL)  # consent given
    revoking = account_views._revoke_grants_above_low
    issued: list[tuple[str, object]] = []

    def authorize_before_the_commit(db, citizen_id):
        revoking(db, citizen_id)  # the mark is left; the recovery is not committed yet
        worker = threading.Thread(target=lambda: issued.append(
            _code_in_flight(client, agency, acr_values=SUBSTANTIAL)))
        worker.start()
        worker.join(60)

    monkeypatch.setattr(account_views, "_revoke_grants_above_low", authorize_before_the_commit)
    _recover(client.application, citizen)
    monkeypatch.undo()
    assert len(issued) == 1
    code, flow = issued[0]

    refused = exchange(client, agency, code, flow)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json() == {"error": "invalid_grant", "error_description": LOWERED}
    assert SUBSTANTIAL not in _live_levels(client.application, agency)
