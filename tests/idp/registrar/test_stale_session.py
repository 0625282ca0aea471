"""A copied registrar session cookie (or a console left open at a service point) must not issue
binding codes or move national IDs: like a citizen's own sensitive actions (idp.account.reauth),
a registrar's action needs a sign-in at most `account.reauth_seconds` old. A binding code lets
whoever holds it add a passkey to any citizen's account."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.idp.conftest import age_session, csrf, sign_in
from tests.idp.registrar.test_registrar import FUTURE, _other_citizen, _trail

STALE = 301  # seconds: just past the default account.reauth_seconds


def test_a_stale_registrar_session_signs_in_again_before_acting(client, oidc_app, registrar):
    other_id, national_id = _other_citizen(oidc_app)
    token = csrf(client, "/registrar")
    document = {"csrf_token": token, "document_type": "passport", "document_number": "A1234567",
                "document_expiry": FUTURE}
    age_session(client, STALE)
    assert client.get(f"/registrar/citizens/{other_id}").status_code == 200  # reading goes on

    for action in ("recovery", "verify"):
        stale = client.post(f"/registrar/citizens/{other_id}/{action}", data=document)
        assert stale.status_code == 303, action
        target = urlsplit(stale.headers["Location"])
        query = parse_qs(target.query)
        assert target.path == "/login" and query["acr"] == ["high"] and query["reauth"] == ["1"]
        assert query["next"] == [f"/registrar/citizens/{other_id}"]
    reclaim = client.post("/registrar/reclaim", data={
        **document, "given_name": "Eva", "family_name": "Pérez", "birthdate": "1990-01-01",
        "national_id": national_id})
    assert reclaim.status_code == 303 and "/login?reauth=1" in reclaim.headers["Location"]
    assert not [a for _, a, _ in _trail(oidc_app) if a in {"identity.verified", "recovery.code_issued",
                                                           "identity.frozen", "identity.reclaimed"}]

    assert sign_in(client, registrar.key).status_code == 200  # the same registrar, again
    done = client.post(f"/registrar/citizens/{other_id}/recovery", data=document)
    assert done.status_code == 200 and 'id="binding-code"' in done.get_data(as_text=True)


def test_a_stale_registrar_session_binds_no_security_key(client, oidc_app, registrar):
    """The security-key route of assisted enrolment is JSON (the registrar's page calls it with
    fetch); it binds a passkey to a citizen's identity as surely as the phone link does, so a
    stale registrar session is refused there too: 403 `reauthentication_required` with the way
    to sign in again at level high, no challenge issued, no key bound."""
    import re

    from tests.idp.registrar.test_assisted_enrolment import _created, _json
    from tests.support.authenticator import SoftwareAuthenticator

    citizen_id = _created(client)
    html = client.get(f"/registrar/enrolments/{citizen_id}").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    fresh = _json(client, f"/registrar/enrolments/{citizen_id}/key/options", {}, token)
    assert fresh.status_code == 200
    age_session(client, STALE)

    options = _json(client, f"/registrar/enrolments/{citizen_id}/key/options", {}, token)
    assert options.status_code == 403, options.get_json()
    refused = options.get_json()
    assert refused["error"] == "reauthentication_required"
    target = urlsplit(refused["reauth_uri"])
    assert target.path == "/login" and parse_qs(target.query)["acr"] == ["high"]
    assert parse_qs(target.query)["next"] == [f"/registrar/enrolments/{citizen_id}"]
    # Options fetched while fresh do not carry the stale session through the finish.
    verified = _json(client, f"/registrar/enrolments/{citizen_id}/key/verify",
                     SoftwareAuthenticator().register(fresh.get_json()), token)
    assert verified.status_code == 403 and verified.get_json()["error"] == "reauthentication_required"
    assert "enrolment.security_key_bound" not in [a for _, a, _ in _trail(oidc_app)]

    assert sign_in(client, registrar.key).status_code == 200  # the same registrar, again
    options = _json(client, f"/registrar/enrolments/{citizen_id}/key/options", {}, token)
    assert options.status_code == 200
    verified = _json(client, f"/registrar/enrolments/{citizen_id}/key/verify",
                     SoftwareAuthenticator().register(options.get_json()), token)
    assert verified.status_code == 200, verified.get_json()
