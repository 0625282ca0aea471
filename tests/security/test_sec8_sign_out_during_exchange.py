"""A citizen who signs out while an agency exchanges a code of that session gets the agency no
tokens for it (OIDC Core 1.0 section 11; Back-Channel Logout 1.0 section 2.7).

The exchange checked that the code's SSO session was alive before it wrote the grant, and not
after. A sign-out between the two ended the session and announced it; its back-channel logout,
worked from the grants of the session as they stood then (`idp.logout.backchannel`), did not
see the grant the exchange wrote next: the agency received an ID token (and, with
offline_access, a refresh token) for a session that had ended, and was never told it had.
The exchange now reads the session's index again with its other marks once its grant is
written (`codes.settled`, no extra round trip): gone, the grant is revoked and the exchange
refused; still there, the sign-out comes after the grant and its logout sees it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from idp.oidc import standing
from idp.oidc.models import Grant
from idp.sessions import end_session
from infra.db import get_db
from tests.idp.logout.conftest import receiver, stopped_worker  # noqa: F401 - the fixture
from tests.idp.oidc.conftest import bearer, exchange, get_code, tokens_for


@pytest.fixture
def agency(register, receiver):  # noqa: F811 - the fixture imported above
    return register(scope="openid profile offline_access", backchannel_logout_uri=receiver.uri("a"),
                    backchannel_logout_session_required=True)


@pytest.fixture
def worker(app):
    """The back-channel logout worker, worked by hand."""
    with stopped_worker(app) as handle:
        yield handle


def _grants(app, agency) -> list[tuple[bool, str | None]]:
    with get_db(app).read() as session:
        rows = session.execute(sa.select(Grant.revoked_at, Grant.revoked_reason)
                               .where(Grant.client_id == agency.client_id)).all()
    return [(revoked_at is None, reason) for revoked_at, reason in rows]


def _sign_out_once_checked(monkeypatch, worker) -> None:
    alive = standing.session_alive
    done: list[bool] = []

    def checked_then_signed_out(store, policy, *, sid, citizen_id, now):
        answer = alive(store, policy, sid=sid, citizen_id=citizen_id, now=now)  # the exchange saw it alive ...
        if not done:
            done.append(True)
            end_session(sid=sid, reason="logout")  # ... and the citizen signs out before the grant is written,
            worker.run_once()  # and the sign-out's logout is worked (no grant of the session yet)
        return answer

    monkeypatch.setattr(standing, "session_alive", checked_then_signed_out)


@pytest.mark.parametrize("scope", ["openid profile", "openid profile offline_access"])
def test_a_sign_out_during_the_code_exchange_leaves_the_agency_no_tokens(client, agency, citizen, monkeypatch,
                                                                           worker, receiver, scope):  # noqa: F811
    app = client.application
    code, flow = get_code(client, agency, scope=scope)
    _sign_out_once_checked(monkeypatch, worker)
    answer = exchange(client, agency, code, flow)
    body = answer.get_json()
    assert answer.status_code == 400, body
    assert body["error"] == "invalid_grant" and "signed out" in body["error_description"], body
    assert _grants(app, agency) == [(False, "session_ended")]
    worker.run_once()
    assert receiver.tokens() == []  # nothing to tell: the agency got nothing


def test_a_sign_out_after_the_exchange_is_told_to_the_agency(client, agency, citizen, worker, receiver):  # noqa: F811
    """A session that ends after the grant is written leaves the tokens to its logout: the
    agency is told, and the access token ends with the session."""
    app = client.application
    body = tokens_for(client, agency, scope="openid profile")
    assert _grants(app, agency) == [(True, None)]
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 200
    with app.app_context():
        end_session(sid=citizen_sid(app, agency), reason="logout")
    worker.run_once()
    assert len(receiver.tokens("a")) == 1
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 401


def citizen_sid(app, agency) -> str:
    with get_db(app).read() as session:
        return session.scalars(sa.select(Grant.sid).where(Grant.client_id == agency.client_id)).one()
