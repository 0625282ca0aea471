"""A desk recovery between its commit and its ending of the account's sessions (impostor14).

The desk's transaction ends every passkey, recovery code and agency grant of the account; the
account's sessions end after the commit. Whoever held the ended passkey still has a live
session for those milliseconds: what they get an agency to hold in it must not outlive the
handover (a refresh token outlives its session by design), and they must not close the
account the desk just handed to the document's holder."""

from __future__ import annotations

import uuid

from tests.idp.conftest import csrf, dui, enrol
from tests.idp.oidc.conftest import bearer, exchange, get_code, token_request
from tests.idp.registrar.test_registrar import FUTURE, registrar  # noqa: F401  (fixture)
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.civil_register import in_register
from tests.support.once import after_passing, before_first_call, once

OFFLINE = "openid profile offline_access"


def _between_commit_and_sessions(monkeypatch, then) -> None:
    """`then()` runs, as another request, after the desk's recovery committed and before the
    desk ends the account's sessions."""
    from idp.registrar import views

    before_first_call(monkeypatch, views, "sessions_for", then)


def _recover_at_the_desk(desk, citizen_id: str):
    response = desk.post(f"/registrar/citizens/{citizen_id}/recovery", data={
        "csrf_token": csrf(desk, "/registrar"), "document_type": "passport",
        "document_number": "A1234567", "document_expiry": FUTURE})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]


def _held(app):
    phone = app.test_client()  # who held the account's passkey
    held = enrol(phone, SoftwareAuthenticator(), national_id=dui(22222222), email="eva@example.sv")
    in_register(app, held.citizen_id)
    return phone, held


def test_tokens_got_in_that_moment_do_not_outlive_the_handover(client, oidc_app, registrar, register,  # noqa: F811
                                                               monkeypatch):
    agency = register(scope=OFFLINE)
    phone, held = _held(oidc_app)
    got: dict = {}

    def thief_signs_in_to_an_agency():
        code, flow = get_code(phone, agency, scope=OFFLINE)
        got["exchange"] = exchange(phone, agency, code, flow)

    _between_commit_and_sessions(monkeypatch, thief_signs_in_to_an_agency)
    _recover_at_the_desk(client, held.citizen_id)
    exchanged = got["exchange"]  # issued in that moment (the session was live): nothing of it may live on
    assert exchanged.status_code == 200, exchanged.get_json()
    tokens = exchanged.get_json()
    refreshed = token_request(phone, agency, {"grant_type": "refresh_token",
                                              "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 400 and refreshed.get_json()["error"] == "invalid_grant", refreshed.get_json()
    assert phone.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 401
    assert _active_grants(oidc_app, held.citizen_id) == 0


def _active_grants(app, citizen_id: str) -> int:
    import sqlalchemy as sa

    from idp.oidc.models import Grant
    from infra.db import get_db

    with get_db(app).read() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Grant).where(
            Grant.citizen_id == uuid.UUID(citizen_id), Grant.revoked_at.is_(None)))


def _closed(app, citizen_id: str) -> bool:
    from idp.citizens.models import Citizen, is_closed
    from infra.db import get_db

    with get_db(app).read() as session:
        return is_closed(session.get(Citizen, uuid.UUID(citizen_id)))


def _close(phone):
    return phone.post("/account/close", data={"csrf_token": csrf(phone, "/account"), "confirm": "close"})


def test_the_account_is_not_closed_in_that_moment(client, oidc_app, registrar, monkeypatch):  # noqa: F811
    phone, held = _held(oidc_app)
    got: dict = {}
    _between_commit_and_sessions(monkeypatch, lambda: got.setdefault("close", _close(phone)))
    _recover_at_the_desk(client, held.citizen_id)
    assert not _closed(oidc_app, held.citizen_id)


def test_nor_by_a_close_checked_just_before_the_desk_committed(client, oidc_app, registrar, monkeypatch):  # noqa: F811
    """The close's passkey check passed before the desk's recovery committed; its own
    transaction comes after: it must see the handover and close nothing."""
    from idp.consent import views

    phone, held = _held(oidc_app)
    after_passing(monkeypatch, views.reauth, "fresh", once(lambda: _recover_at_the_desk(client, held.citizen_id)))
    page = _close(phone)
    assert not _closed(oidc_app, held.citizen_id), page.get_data(as_text=True)[:2000]
    # The re-check page, which says that passkey no longer does (the session ends with the desk's).
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="recheck-refused"' in text, text[:2000]
