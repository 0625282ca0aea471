"""A passkey whose model the FIDO metadata reports compromised (USER_VERIFICATION_BYPASS, a
remote key compromise, REVOKED) signs in at level low only. It must not be a way around that
limit: whoever holds it (a thief who bypasses its user verification, someone who extracted its
key) could otherwise add a passkey of their own, which would inherit the account's proofing
and sign in, and sign documents, at the level the citizen proved."""

from __future__ import annotations

import html
import uuid

from idp.assurance.services import evidence_of
from infra.db import get_db
from tests.idp.assurance.conftest import enrol_at_level_high, proofing
from tests.idp.conftest import dui, post_json, sign_in
from tests.support.attestation import AAGUIDS
from tests.support.authenticator import SoftwareAuthenticator


def _report_model(metadata, pki) -> None:
    from tests.idp.assurance.conftest import all_formats_listed

    entries = [e for e in all_formats_listed(pki)
               if e.get("aaguid") != str(AAGUIDS["packed-full"])]
    entries.append(pki.entry(aaguid=AAGUIDS["packed-full"],
                             statuses=["FIDO_CERTIFIED", "USER_VERIFICATION_BYPASS"]))
    metadata(entries)


def _add(browser, key: SoftwareAuthenticator):
    options = post_json(browser, "/webauthn/registration/options", {})
    assert options.status_code == 200, options.get_json()
    return post_json(browser, "/webauthn/registration/verify", key.register(options.get_json()))


def test_a_passkey_added_with_a_reported_model_does_not_inherit_the_proofing(client, fresh_app,
                                                                            pki, metadata):
    """Before: the thief's own passkey, added in a session checked with the reported one,
    signed in at substantial with the in-person proofing of the citizen."""
    person = enrol_at_level_high(client, fresh_app, pki, metadata, dui(4892613))
    _report_model(metadata, pki)
    thief = fresh_app.test_client()
    assert sign_in(thief, person.key).status_code == 200  # the model's UV is bypassed
    own = SoftwareAuthenticator(backup_eligible=True, backed_up=True)
    response = _add(thief, own)
    assert response.status_code == 200, response.get_json()
    assert proofing(fresh_app, person.citizen_id)[0] == "low"
    with get_db(fresh_app).read() as db:
        kinds = [e.kind for e in evidence_of(db, uuid.UUID(person.citizen_id))]
    assert "reported_passkey" in kinds
    # The citizen's page says why the level went back to low.
    page = client.get("/account/assurance", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "no longer counts" in html.unescape(page)


def test_a_passkey_added_with_a_sound_passkey_keeps_the_proofing(client, fresh_app, pki, metadata):
    person = enrol_at_level_high(client, fresh_app, pki, metadata, dui(4892613))
    response = _add(client, SoftwareAuthenticator(backup_eligible=True, backed_up=True))
    assert response.status_code == 200, response.get_json()
    assert proofing(fresh_app, person.citizen_id)[0] == "high"
