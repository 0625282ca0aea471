"""RFC 7592 section 2.3: a client whose registration is deleted while one of its code
exchanges runs keeps no grant from it, nor from a code issued before the deletion.

The exchange reads the agency (from the per-process cache) before its transaction; the
deletion revokes the agency's grants in its own. A deletion that committed between the two
found no grant to revoke, and the exchange then wrote one: tokens of a deleted agency, its
refresh token good again once an operator enabled the client (time of check, time of use).
A code issued before the deletion was exchanged too once an operator enabled the client again
within the code's lifetime. (A refresh in flight is not affected: its grant is the one the
deletion revokes, and every token of it dies with it.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from clients.registry import find_client
from clients.registry.services import delete_client, rotate_secret, set_enabled
from idp.oidc import codes
from idp.oidc.models import Grant
from infra.db import get_db
from tests.idp.oidc.conftest import bearer, exchange, get_code, tokens_for
from tests.support.once import once


@pytest.fixture
def agency(register):
    return register(scope="openid profile offline_access")


def _delete(app, agency) -> None:
    with app.app_context(), get_db(app).transaction() as session:
        delete_client(session, find_client(session, agency.client_id))


def _enable_again(app, agency) -> None:
    """An operator brings the agency back: enabled, with a new secret."""
    with get_db(app).transaction() as session:
        row = set_enabled(session, agency.client_id, enabled=True)
        agency.secret = rotate_secret(session, row)


def _active_grants(app, agency) -> list:
    with get_db(app).read() as session:
        return session.scalars(sa.select(Grant.id).where(Grant.client_id == agency.client_id,
                                                         Grant.revoked_at.is_(None))).all()


def _delete_once_redeemed(monkeypatch, app, agency) -> None:
    delete = once(lambda: _delete(app, agency))
    redeem = codes.redeem

    def redeemed_then_deleted(*args, **kwargs):
        redemption = redeem(*args, **kwargs)  # the exchange authenticated the agency and took the code ...
        delete()  # ... and the registration is deleted before the exchange writes its grant
        return redemption

    monkeypatch.setattr(codes, "redeem", redeemed_then_deleted)


def test_a_registration_deleted_during_the_code_exchange_leaves_no_grant(client, agency, citizen, monkeypatch):
    app = client.application
    code, flow = get_code(client, agency, scope="openid profile offline_access")
    _delete_once_redeemed(monkeypatch, app, agency)
    answer = exchange(client, agency, code, flow)
    body = answer.get_json()
    assert answer.status_code == 400, body
    assert body["error"] == "invalid_grant" and "deleted" in body["error_description"], body
    assert _active_grants(app, agency) == []
    with get_db(app).read() as session:
        reasons = session.scalars(sa.select(Grant.revoked_reason).where(Grant.client_id == agency.client_id)).all()
    assert reasons == ["client_deleted"]

    _enable_again(app, agency)
    assert _active_grants(app, agency) == []


def test_a_code_issued_before_the_deletion_is_refused_once_the_client_is_enabled_again(client, agency, citizen):
    app = client.application
    code, flow = get_code(client, agency, scope="openid profile offline_access")
    _delete(app, agency)
    _enable_again(app, agency)  # within the code's lifetime
    answer = exchange(client, agency, code, flow)
    body = answer.get_json()
    assert answer.status_code == 400 and body["error"] == "invalid_grant", body
    assert _active_grants(app, agency) == []


def test_a_code_issued_after_the_client_is_enabled_again_is_exchanged(client, agency, citizen):
    app = client.application
    _delete(app, agency)
    _enable_again(app, agency)
    body = tokens_for(client, agency, scope="openid profile offline_access")
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 200
    assert len(_active_grants(app, agency)) == 1
