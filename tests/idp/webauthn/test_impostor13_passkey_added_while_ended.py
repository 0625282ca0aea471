"""Impostor review, round 13: a passkey added in a passkey session (not a recovery session) while
the passkey that session was checked with is ended (a recovery at the desk hands the account to
the document's holder; the owner deletes the thief's passkey). The addition's check passed
before that committed, its new passkey committed after it: the deletion could not see the new
passkey, and the desk ended the session but not the passkey, with which whoever held the old
one signed back in to the account. A recovery session's addition is already undone then
(tests/security/test_cross2_recovery_race.py); so must this one be."""

from __future__ import annotations

import uuid

from tests.idp.account.conftest import delete_passkey, two_passkeys
from tests.idp.conftest import enrol, post_json, recheck, sign_in
from tests.security.test_cross2_recovery_race import _desk_recovery
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.once import after_passing


def _passkeys(app, citizen_id: str) -> list[bytes]:
    from idp.citizens.models import Passkey
    from infra.db import get_db

    with get_db(app).read() as db:
        return sorted(p.credential_id for p in db.query(Passkey).filter_by(citizen_id=uuid.UUID(citizen_id)))


def _after_the_check(monkeypatch, then) -> None:
    """`then()` commits right after the registration's check that the session may add a passkey
    passed (`reauth.fresh_to_add_passkey`), before the new passkey is written."""
    from idp.webauthn import views

    after_passing(monkeypatch, views.reauth, "fresh_to_add_passkey", then)


def _options(browser) -> dict:
    options = post_json(browser, "/webauthn/registration/options", {})
    assert options.status_code == 200, options.get_json()
    return options.get_json()


def test_a_passkey_added_while_a_desk_recovery_commits_is_not_kept(client, fresh_app, monkeypatch):
    holder = enrol(client)  # whoever holds the account's passkey (a thief, a squatter)
    new = SoftwareAuthenticator()
    options = _options(client)
    _after_the_check(monkeypatch, lambda: _desk_recovery(fresh_app, holder.citizen_id))
    refused = post_json(client, "/webauthn/registration/verify", new.register(options))
    assert refused.status_code == 401 and refused.get_json()["error"] == "login_required", refused.get_json()
    assert _passkeys(fresh_app, holder.citizen_id) == []  # the desk's recovery left none
    again = sign_in(fresh_app.test_client(), new)
    assert again.status_code == 400 and again.get_json()["error"] == "unknown_credential", again.get_json()


def test_a_passkey_added_while_the_owner_deletes_the_checking_one_is_not_kept(client, fresh_app, monkeypatch):
    lost, kept = two_passkeys(client)  # the owner, in `client`; `lost` is on a stolen phone
    phone = fresh_app.test_client()
    assert sign_in(phone, lost).status_code == 200
    citizen_id = _owner(fresh_app)
    thief = SoftwareAuthenticator()
    options = _options(phone)

    def owner_deletes_the_lost_passkey():
        assert recheck(client, kept).status_code == 200
        assert delete_passkey(client, lost).headers["Location"] == "/account?done=deleted"

    _after_the_check(monkeypatch, owner_deletes_the_lost_passkey)
    refused = post_json(phone, "/webauthn/registration/verify", thief.register(options))
    assert refused.status_code == 401 and refused.get_json()["error"] == "login_required", refused.get_json()
    assert _passkeys(fresh_app, citizen_id) == [kept.credential_id]
    again = sign_in(fresh_app.test_client(), thief)
    assert again.status_code == 400 and again.get_json()["error"] == "unknown_credential", again.get_json()


def test_a_passkey_added_when_nothing_ended_is_kept(client, fresh_app):
    holder = enrol(client)
    new = SoftwareAuthenticator()
    added = post_json(client, "/webauthn/registration/verify", new.register(_options(client)))
    assert added.status_code == 200, added.get_json()
    assert len(_passkeys(fresh_app, holder.citizen_id)) == 2
    assert sign_in(fresh_app.test_client(), new).status_code == 200


def _owner(app) -> str:
    from idp.citizens.models import Citizen
    from infra.db import get_db

    with get_db(app).read() as db:
        [citizen] = db.query(Citizen).all()
        return str(citizen.id)
