"""A passkey whose model the FIDO metadata reports compromised (USER_VERIFICATION_BYPASS, a key
extracted, REVOKED) is held by whoever bypasses it as much as by the citizen. Before: a session
checked with it was a fresh check for the account's sensitive actions, so such a holder could
delete the citizen's other passkeys, take new recovery codes (ending the citizen's), close the
account or take a desk code. Now its check counts as none, as a suspect passkey's does
(`idp.account.reauth.refused_check`): the re-check page says to confirm with another passkey, or
go to the desk. Adding a passkey (the way to replace it) still works, and lowers the proofing
(test_reported_model_adds_passkey)."""

from __future__ import annotations

import html

import sqlalchemy as sa

from idp.citizens.models import Citizen, Passkey, RecoveryCode
from infra.db import get_db
from tests.idp.assurance.conftest import AAGUIDS, all_formats_listed, enrol_at_level_high
from tests.idp.conftest import csrf, dui, post_json, recheck
from tests.support.authenticator import SoftwareAuthenticator

EN = {"Accept-Language": "en"}
SAYS = "reported a security problem"


def _report_model(metadata, pki) -> None:
    entries = [e for e in all_formats_listed(pki) if e.get("aaguid") != str(AAGUIDS["packed-full"])]
    entries.append(pki.entry(aaguid=AAGUIDS["packed-full"],
                             statuses=["FIDO_CERTIFIED", "USER_VERIFICATION_BYPASS"]))
    metadata(entries)


def _count(app, model) -> int:
    with get_db(app).read() as db:
        return db.scalar(sa.select(sa.func.count()).select_from(model))


def _codes(app) -> list[bytes]:
    with get_db(app).read() as db:
        return sorted(db.scalars(sa.select(RecoveryCode.code_hash)))


def _citizen_with_a_reported_and_a_sound_passkey(client, app, pki, metadata):
    person = enrol_at_level_high(client, app, pki, metadata, dui(4892613))
    spare = SoftwareAuthenticator()
    options = post_json(client, "/webauthn/registration/options", {})
    assert options.status_code == 200, options.get_json()
    added = post_json(client, "/webauthn/registration/verify", spare.register(options.get_json()))
    assert added.status_code == 200, added.get_json()
    _report_model(metadata, pki)  # the session stays checked with the reported passkey
    return person, spare


def _refused(response) -> None:
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert 'id="recheck-resubmit"' in page and 'id="recheck-refused"' in page
    assert SAYS in page and "another of your passkeys" in page and "service office" in page


def test_a_check_with_a_reported_model_is_no_check_for_sensitive_actions(client, fresh_app, pki,
                                                                         metadata):
    person, spare = _citizen_with_a_reported_and_a_sound_passkey(client, fresh_app, pki, metadata)
    codes = _codes(fresh_app)
    token = csrf(client, "/account")

    _refused(client.post("/account/recovery-codes", data={"csrf_token": token}, headers=EN))
    _refused(client.post(f"/account/passkeys/{spare.credential_id_b64}/delete",
                         data={"csrf_token": token}, headers=EN))
    _refused(client.post("/account/close", data={"csrf_token": token, "confirm": "close"}, headers=EN))
    _refused(client.post("/account/desk-code", data={"csrf_token": token}, headers=EN))
    page = html.unescape(client.get("/account/reauth?next=/account", headers=EN).get_data(as_text=True))
    assert 'id="recheck-refused"' in page and SAYS in page

    assert _codes(fresh_app) == codes
    assert _count(fresh_app, Passkey) == 2 and _count(fresh_app, Citizen) == 1

    # Confirmed with the sound passkey, the same actions go on, and the page says nothing more.
    assert recheck(client, spare).status_code == 200
    assert 'id="recheck-refused"' not in client.get("/account/reauth").get_data(as_text=True)
    issued = client.post("/account/recovery-codes", data={"csrf_token": csrf(client, "/account")})
    assert issued.status_code == 200 and 'id="recheck-resubmit"' not in issued.get_data(as_text=True)
    assert _codes(fresh_app) != codes
    deleted = client.post(f"/account/passkeys/{person.key.credential_id_b64}/delete",
                          data={"csrf_token": csrf(client, "/account")})
    assert deleted.status_code == 303 and "done=" in deleted.headers["Location"]
    assert _count(fresh_app, Passkey) == 1


def test_a_sound_model_still_checks(client, fresh_app, pki, metadata):
    person = enrol_at_level_high(client, fresh_app, pki, metadata, dui(4892613))
    codes = _codes(fresh_app)
    issued = client.post("/account/recovery-codes", data={"csrf_token": csrf(client, "/account")})
    assert 'id="recheck-resubmit"' not in issued.get_data(as_text=True)
    assert _codes(fresh_app) != codes and person.citizen_id
