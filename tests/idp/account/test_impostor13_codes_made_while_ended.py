"""Impostor review, round 13: new recovery codes made in a passkey session while the passkey
that session was checked with is ended (a recovery at the desk hands the account to the
document's holder; the owner deletes the thief's passkey). The page's check passed before that
committed, the codes committed after it: the desk's deletion of the account's codes could not
see them, and whoever held the old passkey took the codes away and, with one at /recover, a
recovery session to add their passkey to the account the desk had just handed over. As a
passkey added then (tests/idp/webauthn/test_impostor13_passkey_added_while_ended.py), the codes
must not stay."""

from __future__ import annotations

import re
import uuid

from tests.idp.account.conftest import delete_passkey, two_passkeys
from tests.idp.conftest import csrf, enrol, recheck, sign_in
from tests.security.test_cross2_recovery_race import _desk_recovery
from tests.support.once import after_passing

CODE = re.compile(r"<li>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</li>")


def _unused_codes(app, citizen_id: str) -> int:
    from idp.citizens.recovery import codes_left
    from infra.db import get_db

    with get_db(app).read() as db:
        return codes_left(db, uuid.UUID(citizen_id))


def _after_the_check(monkeypatch, then) -> None:
    """`then()` commits right after the page's passkey check passed (`reauth.fresh_with_passkey`),
    before the new codes are written."""
    from idp.account import views

    after_passing(monkeypatch, views.reauth, "fresh_with_passkey", then)


def _new_codes(browser):
    token = csrf(browser, "/account")
    return browser.post("/account/recovery-codes", data={"csrf_token": token})


def _refused(page) -> None:
    assert page.status_code == 303 and page.headers["Location"] == "/login", page.get_data(as_text=True)[:2000]
    assert CODE.findall(page.get_data(as_text=True)) == []  # no code shown


def test_codes_made_while_a_desk_recovery_commits_are_not_kept(client, fresh_app, monkeypatch):
    holder = enrol(client)  # whoever holds the account's passkey (a thief, a squatter)
    _after_the_check(monkeypatch, lambda: _desk_recovery(fresh_app, holder.citizen_id))
    _refused(_new_codes(client))
    assert _unused_codes(fresh_app, holder.citizen_id) == 0  # the desk's recovery left none
    assert client.get("/account").status_code == 302  # and that session is over


def test_codes_made_while_the_owner_deletes_the_checking_passkey_are_not_kept(client, fresh_app, monkeypatch):
    lost, kept = two_passkeys(client)  # the owner, in `client`; `lost` is on a stolen phone
    phone = fresh_app.test_client()
    assert sign_in(phone, lost).status_code == 200
    citizen_id = _citizen(fresh_app)

    def owner_deletes_the_lost_passkey():
        assert recheck(client, kept).status_code == 200
        assert delete_passkey(client, lost).headers["Location"] == "/account?done=deleted"

    _after_the_check(monkeypatch, owner_deletes_the_lost_passkey)
    _refused(_new_codes(phone))
    assert _unused_codes(fresh_app, citizen_id) == 0
    assert client.get("/account").status_code == 200  # the owner's session goes on


def test_codes_made_when_nothing_ended_are_shown(client, fresh_app):
    holder = enrol(client)
    page = _new_codes(client)
    assert page.status_code == 200 and len(CODE.findall(page.get_data(as_text=True))) == 10
    assert _unused_codes(fresh_app, holder.citizen_id) == 10


def _citizen(app) -> str:
    from idp.citizens.models import Citizen
    from infra.db import get_db

    with get_db(app).read() as db:
        [citizen] = db.query(Citizen).all()
        return str(citizen.id)
