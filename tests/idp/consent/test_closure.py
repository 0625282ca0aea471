"""Closing an account: personal data erased or pseudonymised, passkeys and sessions gone,
agencies cut off and told, the log still verifies and holds no personal values."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from tests.idp.conftest import age_session, csrf, recheck, sign_in
from tests.idp.consent.conftest import csrf_from, log_of
from tests.idp.oidc.conftest import bearer, tokens_for


def test_closing_needs_confirmation(client, citizen):
    page = client.get("/account/close")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="close-form"' in html
    refused = client.post("/account/close", data={"csrf_token": csrf_from(html)})
    refused_page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="close-error"' in refused_page
    assert refused_page.count("<title>Error: ") == 1 and '<a href="#confirm">' in refused_page
    assert client.post("/account/close", data={"confirm": "close"}).status_code == 400  # no CSRF token
    assert client.get("/account").status_code == 200  # still open


def test_an_old_sign_in_must_be_rechecked_first(client, citizen):
    """Issue 12: closing is a sensitive action (account.reauth_seconds): after a passkey
    re-check the same form goes on, confirmation and CSRF token included."""
    age_session(client, 301)
    html = client.get("/account/close").get_data(as_text=True)
    assert 'id="reauth-needed"' in html and 'id="close-form"' not in html
    assert 'id="reauth-link" class="button button-primary" href="/account/reauth?next=/account/close"' in html
    token = csrf(client, "/account")
    page = client.post("/account/close", data={"csrf_token": token, "confirm": "close"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "cerrar su cuenta" in text
    assert '<form id="recheck-resubmit" method="post" action="/account/close" hidden>' in text
    assert '<input type="hidden" name="confirm" value="close">' in text
    assert client.get("/account").status_code == 200  # still open
    assert recheck(client, citizen.key).status_code == 200
    assert 'id="close-form"' in client.get("/account/close").get_data(as_text=True)
    closed = client.post("/account/close", data={"csrf_token": token, "confirm": "close"})
    assert closed.status_code == 200 and client.get("/account").status_code == 302


def test_closing_erases_personal_data_and_cuts_agencies_off(client, register, citizen, listener, delivery):
    from idp import audit
    from idp.citizens.models import Citizen, Passkey, RecoveryCode
    from idp.oidc.models import Grant
    from infra.db import get_db

    agency = register(backchannel_logout_uri=listener.uri)
    body = tokens_for(client, agency)
    html = client.get("/account/close").get_data(as_text=True)
    closed = client.post("/account/close", data={"csrf_token": csrf_from(html), "confirm": "close"})
    assert closed.status_code == 200 and "Cache-Control" in closed.headers

    app = client.application
    with get_db(app).read() as session:
        row = session.get(Citizen, uuid.UUID(citizen.citizen_id))
        assert (row.given_name, row.family_name, row.email) == ("", "", "")
        assert row.birthdate.isoformat() == "0001-01-01"
        assert row.national_id.startswith("closed:") and citizen.national_id not in row.national_id
        assert len(row.national_id) == 64
        assert session.scalar(sa.select(sa.func.count()).select_from(Passkey)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
        assert all(g.revoked_at is not None for g in session.scalars(sa.select(Grant)))
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 401
    assert client.get("/account").status_code == 302  # signed out
    assert sign_in(client, citizen.key).status_code != 200  # the passkey is gone

    delivery.run_once()
    assert listener.arrived.wait(60)  # a cap: it has arrived when run_once() returns, or soon after

    events = [e.event for e in log_of(app, citizen.citizen_id)]
    assert events[-2:] == ["consent.revoked", "account.closed"]
    with app.app_context(), get_db(app).read() as session:
        report = audit.verify_chain(session, trusted=audit.trusted_keys(app))
    assert report.ok, report.problem


def test_the_same_person_can_enrol_again_after_closing(client, citizen):
    from tests.idp.conftest import enrol

    html = client.get("/account/close").get_data(as_text=True)
    client.post("/account/close", data={"csrf_token": csrf_from(html), "confirm": "close"})
    again = enrol(client.application.test_client())
    assert again.citizen_id != citizen.citizen_id
