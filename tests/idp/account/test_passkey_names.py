"""Passkeys named from their AAGUID, with where (browser and system) and when they were used."""

from __future__ import annotations

from idp.account.passkey_devices import parse, summary
from idp.citizens.models import Passkey
from idp.logout.devices import Device
from infra.db import get_db
from tests.idp.conftest import enrol, post_json, registration_options, sign_in
from tests.support.authenticator import SoftwareAuthenticator

SAFARI_MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.5 Safari/605.1.15")
CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0 Mobile Safari/537.36")


def test_a_device_is_kept_as_browser_and_system_only():
    assert summary(SAFARI_MAC) == "Safari|macOS"
    assert summary("curl/8.5.0") is None and summary("") is None
    assert parse("Safari|macOS") == Device("Safari", "macOS")
    assert parse("|Linux") == Device(None, "Linux")
    assert parse(None) is None and parse("garbage") is None and parse("|") is None


def test_the_page_names_the_model_and_says_where_and_when(client):
    client.environ_base["HTTP_USER_AGENT"] = SAFARI_MAC
    icloud = SoftwareAuthenticator(aaguid=bytes.fromhex("fbfc3007154e4ecc8c0b6e020557d7bd"),
                                   backup_eligible=True, backed_up=True)
    enrol(client, icloud)
    with get_db(client.application).read() as db:
        row = db.query(Passkey).one()
        assert row.aaguid == "fbfc3007-154e-4ecc-8c0b-6e020557d7bd"
        assert row.created_device == "Safari|macOS" and "Mozilla" not in (row.last_used_device or "")
    phone = client.application.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = CHROME_ANDROID
    assert sign_in(phone, icloud).status_code == 200
    html = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<dd class="passkey-model">iCloud Keychain</dd>' in html
    assert 'class="passkey-created-device">on Safari on macOS</span>' in html
    assert 'class="passkey-last-used-device">on Chrome on Android</span>' in html
    assert "Mozilla/5.0" not in html and "Pixel 8" not in html
    # Recent sign-ins: the passkey, when, and where.
    history = html[html.index('id="sign-in-history"'):]
    assert "iCloud Keychain" in history and "Chrome on Android" in history
    assert 'data-label="When"><time datetime="' in history


def test_an_unknown_or_zero_aaguid_is_a_plain_passkey_with_the_citizens_label(client):
    enrol(client)  # the software authenticator's AAGUID is all zeros
    html = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<dd class="passkey-model">Your device does not say</dd>' in html
    assert '<span class="passkey-name">' in html  # the default label (in the enrolment's language), renameable
    token = __import__("re").search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    with get_db(client.application).read() as db:
        credential = db.query(Passkey).one().credential_id
    from idp.webauthn.encoding import b64url

    client.post(f"/account/passkeys/{b64url(credential)}/rename", data={"csrf_token": token, "name": "Mi portátil"})
    html = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<span class="passkey-name">Mi portátil</span>' in html
    assert '<dd class="passkey-model">Your device does not say</dd>' in html


def test_an_added_passkey_is_named_after_its_model(client):
    enrol(client)
    yubikey = SoftwareAuthenticator(aaguid=bytes.fromhex("cb69481e8ff7403993ec0a2729a154a8"))
    response = post_json(client, "/webauthn/registration/verify", yubikey.register(registration_options(client, {})))
    assert response.status_code == 200 and response.get_json()["name"] == "YubiKey 5 Series"
    assert '<dd class="passkey-model">YubiKey 5 Series</dd>' in client.get("/account").get_data(as_text=True)
