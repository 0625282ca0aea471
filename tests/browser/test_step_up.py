"""Step-up to level high in headless Chromium, with two virtual authenticators on one browser:
a synced passkey (built in, backup eligible, like a password manager's) and a device-bound one
on a USB security key whose attestation chains to a root the FIDO metadata lists.

The citizen (proofed in person) signs in with the synced passkey; an agency asks for
`acr_values` high; the provider sends them to sign in again, offering only the device-bound
passkey; the ID token then says high.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from infra.db import get_db
from tests.browser.authenticators import add_authenticator, responds, trust_chromium_authenticators
from tests.browser.chromium import Browser
from tests.browser.flows import continue_to_account, enrol, new_person, passkey_items, sign_in, sign_out
from tests.idp.oidc.conftest import claims_of
from tests.support.basic_auth import basic_auth

pytestmark = pytest.mark.browser

HIGH = "http://eidas.europa.eu/LoA/high"
SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"


def _agency(app, base: str) -> tuple[str, str, str]:
    from clients.registry.services import find_client, rotate_secret, upsert_operator_client
    from keys import get_service

    keys = get_service(app)
    keys.invalidate()
    keys.custody.initialise()
    keys.keyring.bootstrap(keys.now())
    redirect_uri = f"{base}/step-up-callback"
    with app.app_context(), get_db(app).transaction() as session:
        upsert_operator_client(session, client_id="hacienda", metadata={
            "client_name": "Ministerio de Hacienda", "redirect_uris": [redirect_uri],
            "scope": "openid profile", "token_endpoint_auth_method": "client_secret_basic",
            # Level high is for FAPI 2.0 clients; an operator's exception keeps this flow short.
            "max_assurance_level": "high", "security_profile": "oidc"})
        secret = rotate_secret(session, find_client(session, "hacienda"))
    return "hacienda", secret, redirect_uri


def _raise_to_high(app, citizen_id: str) -> None:
    from idp.assurance.services import raise_proofing
    from infra.db import get_db

    with get_db(app).transaction() as session:
        raise_proofing(session, citizen_id=uuid.UUID(citizen_id), method="in_person",
                       now=datetime.now(UTC))


def _levels(app) -> dict[str, str]:
    from idp.assurance.models import PasskeyAssurance
    from idp.citizens.models import Passkey
    from infra.db import get_db

    with get_db(app).read() as session:
        rows = session.query(Passkey, PasskeyAssurance).join(
            PasskeyAssurance, PasskeyAssurance.passkey_id == Passkey.id).all()
        return {("synced" if p.backup_eligible else "device"): a.authenticator_level for p, a in rows}


def test_step_up_from_a_synced_to_a_device_bound_passkey(browser: Browser, server, tmp_path,
                                                         monkeypatch):
    app = server.app
    trust_chromium_authenticators(browser, app, tmp_path, monkeypatch)
    synced = add_authenticator(browser, synced=True)
    device = add_authenticator(browser, synced=False)

    # Enrol with the synced passkey, then add the device-bound one from the account page.
    responds(browser, device, False)
    person = new_person()
    enrol(browser, person)
    continue_to_account(browser)
    responds(browser, synced, False)
    responds(browser, device, True)
    browser.one("#add-passkey").click()
    browser.wait(lambda d: len(passkey_items(browser)) == 2, "expected a second passkey")
    assert _levels(app) == {"synced": "substantial", "device": "high"}
    from idp.citizens.models import Citizen
    from infra.db import get_db

    with get_db(app).read() as session:
        citizen_id = str(session.query(Citizen).one().id)
    _raise_to_high(app, citizen_id)

    # Sign in again with the synced passkey only.
    sign_out(browser)
    responds(browser, synced, True)
    responds(browser, device, False)
    sign_in(browser)

    # The agency asks for high: both authenticators answer, but only the device-bound passkey
    # is allowed, so Chromium uses it.
    client_id, secret, redirect_uri = _agency(app, server.url)
    responds(browser, device, True)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    browser.open("/authorize?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
        "scope": "openid profile", "state": "s1", "nonce": "n1", "acr_values": HIGH,
        "code_challenge": challenge, "code_challenge_method": "S256"}))
    browser.wait(lambda d: urlsplit(d.current_url).path == "/login", "expected the step-up sign-in")
    query = parse_qs(urlsplit(browser.driver.current_url).query)
    assert query["reauth"] == ["1"] and query["acr"] == ["high"]
    browser.wait_for("button#passkey-signin").click()
    browser.wait_for("button[name=decision][value=allow]").click()
    browser.wait(lambda d: d.current_url.startswith(redirect_uri), "expected the agency's callback")
    result = {k: v[0] for k, v in parse_qs(urlsplit(browser.driver.current_url).query).items()}
    assert result.get("state") == "s1" and "code" in result, result

    token = app.test_client().post("/token", data={
        "grant_type": "authorization_code", "code": result["code"], "redirect_uri": redirect_uri,
        "code_verifier": verifier},
        headers=basic_auth(client_id, secret))
    assert token.status_code == 200, token.get_json()
    id_token = claims_of(token.get_json()["id_token"])
    assert id_token["acr"] == HIGH and id_token["amr"] == ["hwk", "user", "mfa"]
