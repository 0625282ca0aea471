"""Cross-feature attack, round 2: a passkey sign-in committed just before a recovery at the desk.

Whoever holds the account's passkey (a thief, a squatter) signs in; their sign-in's transaction
commits, the desk's recovery deletes the passkeys and ends the account's sessions, and only
then is their session written: the desk ended no session of it. Signed in, it went on signing
in to agencies (at level low, which agencies that ask for nothing take) and so received the
citizen's data after the account was handed to the document's holder. A sign-in whose passkey
is gone once its session is written is ended at once, and refused."""

from __future__ import annotations

from tests.idp.conftest import enrol, sign_in
from tests.idp.oidc.conftest import Flow, authorize_url
from tests.security.test_cross2_recovery_race import desk_between_commit_and_session


def test_a_sign_in_committed_just_before_a_desk_recovery_reaches_no_agency(client, register, oidc_app, monkeypatch):
    enrolled = enrol(client)
    agency = register()
    thief = oidc_app.test_client()
    from idp.webauthn import views

    desk_between_commit_and_session(monkeypatch, oidc_app, enrolled.citizen_id, views)
    refused = sign_in(thief, enrolled.key)
    assert refused.status_code == 400 and refused.get_json()["error"] == "unknown_credential", refused.get_json()
    response = thief.get(authorize_url(agency, Flow()))
    assert response.status_code in (302, 303) and response.headers["Location"].startswith("/login"), \
        (response.status_code, response.headers.get("Location"))
