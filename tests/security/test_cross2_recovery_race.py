"""Cross-feature attack, round 2: a recovery code spent just before a recovery at the desk.

The code's transaction commits first (the code is spent), the desk's recovery commits and ends
the account's sessions, and only then does /recover start its recovery session: the desk ended
no session of it, and it could still add the bearer's passkey to the account the desk just
handed to the document's holder. A recovery session records what opened it (the account's
recovery generation) and is refused once a desk recovery or new codes superseded it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.idp.conftest import csrf, enrol, post_json, recover
from tests.support.authenticator import SoftwareAuthenticator


@pytest.fixture
def enrolled(client):
    return enrol(client)


def _desk_recovery(app, citizen_id: str) -> str:
    """What the registrar's desk does: the recovery's transaction, then the account's sessions end."""
    from idp.consent.consents import get_consents
    from idp.registrar import pages, services
    from idp.registrar.documents import DocumentCheck
    from idp.sessions import end_session, sessions_for
    from infra.db import get_db
    from infra.store import get_store

    with app.test_request_context():
        with get_db(app).transaction() as db:
            binding = services.start_recovery(
                db, get_store(app), actor=services.Actor.operator("test"), citizen_id=uuid.UUID(citizen_id),
                document=DocumentCheck("passport", "A1234567", date.today() + timedelta(days=365)),
                key=pages.binding_key(), ttl=600, grants=get_consents().grants, now=datetime.now(UTC))
        for sso in sessions_for(citizen_id):
            end_session(sid=sso.sid, reason="registrar_recovery")
        return binding.code


def desk_between_commit_and_session(monkeypatch, app, citizen_id: str, views) -> None:
    """The desk's recovery runs after the sign-in's transaction committed (`views`: the module
    whose view starts the session), before its session starts."""
    real = views.start_session

    def late(response, **kwargs):
        _desk_recovery(app, citizen_id)
        return real(response, **kwargs)

    monkeypatch.setattr(views, "start_session", late)


def test_a_code_spent_just_before_a_desk_recovery_adds_no_passkey(client, enrolled, fresh_app, monkeypatch):
    from idp.account import views

    desk_between_commit_and_session(monkeypatch, fresh_app, enrolled.citizen_id, views)
    impostor = recover(fresh_app, enrolled.national_id, enrolled.codes[0])
    refused = post_json(impostor, "/webauthn/registration/options", {})
    assert refused.status_code == 401 and refused.get_json()["error"] == "login_required"


def test_new_codes_made_while_a_code_is_spent_end_its_session(client, enrolled, fresh_app, monkeypatch):
    from idp.account import views
    from idp.citizens import recovery
    from infra.db import get_db
    from infra.secrets import get_secrets

    real = views.start_session

    def late(response, **kwargs):  # the citizen's new codes commit between the spend and the session
        with get_db(fresh_app).transaction() as db:
            recovery.issue_codes(db, citizen_id=uuid.UUID(enrolled.citizen_id),
                                 key=get_secrets(fresh_app).key("recovery"), count=10, now=datetime.now(UTC))
        return real(response, **kwargs)

    monkeypatch.setattr(views, "start_session", late)
    impostor = recover(fresh_app, enrolled.national_id, enrolled.codes[0])
    refused = post_json(impostor, "/webauthn/registration/options", {})
    assert refused.status_code == 401 and refused.get_json()["error"] == "login_required"


def test_a_binding_code_redeemed_just_before_another_desk_recovery_adds_no_passkey(
        client, enrolled, fresh_app, monkeypatch):
    from idp.registrar import views

    code = _desk_recovery(fresh_app, enrolled.citizen_id)  # the first office's code, seen by someone
    real = views.start_session

    def late(response, **kwargs):  # a second recovery at the desk, after the code was spent
        _desk_recovery(fresh_app, enrolled.citizen_id)
        return real(response, **kwargs)

    monkeypatch.setattr(views, "start_session", late)
    browser = fresh_app.test_client()
    done = browser.post("/bind/confirm", data={"csrf_token": csrf(browser, "/bind"), "code": code})
    assert done.status_code == 303, done.get_data(as_text=True)
    refused = post_json(browser, "/webauthn/registration/options", {})
    assert refused.status_code == 401 and refused.get_json()["error"] == "login_required"


def test_a_binding_code_still_adds_a_passkey_when_nothing_superseded_it(client, enrolled, fresh_app):
    code = _desk_recovery(fresh_app, enrolled.citizen_id)
    browser = fresh_app.test_client()
    done = browser.post("/bind/confirm", data={"csrf_token": csrf(browser, "/bind"), "code": code})
    assert done.status_code == 303, done.get_data(as_text=True)
    options = post_json(browser, "/webauthn/registration/options", {})
    assert options.status_code == 200, options.get_json()
    added = post_json(browser, "/webauthn/registration/verify", SoftwareAuthenticator().register(options.get_json()))
    assert added.status_code == 200, added.get_json()


def test_a_recovery_session_still_adds_a_passkey_when_nothing_superseded_it(client, enrolled, fresh_app):
    impostor = recover(fresh_app, enrolled.national_id, enrolled.codes[0])
    options = post_json(impostor, "/webauthn/registration/options", {})
    assert options.status_code == 200, options.get_json()
    added = post_json(impostor, "/webauthn/registration/verify", SoftwareAuthenticator().register(options.get_json()))
    assert added.status_code == 200, added.get_json()



def test_a_passkey_added_while_a_desk_recovery_commits_is_not_kept(client, enrolled, fresh_app, monkeypatch):
    """The registration's own check passed (the session held), the desk's recovery committed
    before the new passkey did (its deletion could not see it): the passkey must not stay."""
    from idp.citizens.models import Passkey
    from idp.webauthn import views
    from infra.db import get_db

    impostor = recover(fresh_app, enrolled.national_id, enrolled.codes[0])
    options = post_json(impostor, "/webauthn/registration/options", {}).get_json()
    real = views.reauth.fresh_to_add_passkey

    def meanwhile(session):  # read in the registration's transaction, before its first statement
        _desk_recovery(fresh_app, enrolled.citizen_id)
        return real(session)

    monkeypatch.setattr(views.reauth, "fresh_to_add_passkey", meanwhile)
    refused = post_json(impostor, "/webauthn/registration/verify", SoftwareAuthenticator().register(options))
    assert refused.status_code == 401 and refused.get_json()["error"] == "login_required", refused.get_json()
    with get_db(fresh_app).read() as db:
        assert db.query(Passkey).filter_by(citizen_id=uuid.UUID(enrolled.citizen_id)).count() == 0
