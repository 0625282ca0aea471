"""The citizen's pages: the ids and forms browsers and browser tests rely on, and their rules."""

from __future__ import annotations

import logging
import re

from idp.citizens.models import Passkey, RecoveryCode
from infra.db import get_db
from tests.idp.account.conftest import BAD_ENROLMENT, post_enrolment
from tests.idp.conftest import another_citizen, csrf, dui, enrol, post_json, recheck, registration_options, sign_in
from tests.support.authenticator import SoftwareAuthenticator


def html(response) -> str:
    return response.get_data(as_text=True)


def test_enrol_page_contract(client):
    page = html(client.get("/enrol"))
    assert '<form id="enrol-form" method="post" action="/enrol"' in page
    for name in ("given_name", "family_name", "birthdate", "national_id", "email"):
        assert f'<label for="{name}">' in page
        assert f'name="{name}"' in page
        assert f'id="{name}-error"' in page
    assert 'id="birthdate" name="birthdate" type="date"' in page
    assert '<button id="enrol-submit" type="submit"' in page
    assert 'id="form-error" role="alert"' in page
    assert 'name="csrf_token"' in page
    assert "Número de DUI" in page or "DUI" in page
    assert "<script" in page and "onclick" not in page and "style=" not in page


def test_enrol_without_javascript_validates_and_explains(client):
    token = csrf(client, "/enrol")
    bad = post_enrolment(client, token, BAD_ENROLMENT)
    page = html(bad)
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in page
    assert re.search(r'id="family_name-error">This is required', page)
    assert 'aria-describedby="family_name-error"' in page
    assert 'value="Ana"' in page
    good = post_enrolment(client, token, {**BAD_ENROLMENT, "family_name": "López", "birthdate": "1990-01-01",
                                          "national_id": dui(4892613)})
    assert "needs JavaScript" in html(good)


def test_enrol_form_needs_csrf(client):
    assert client.post("/enrol", data={"given_name": "Ana"}).status_code == 400


def test_login_page_contract(client):
    page = html(client.get("/login?next=/account%3Fx%3D1"))
    assert '<button id="passkey-signin" type="button"' in page
    assert 'id="login-username" name="username" type="text" autocomplete="username webauthn"' in page
    assert '<label for="login-username">' in page
    assert 'id="recover-link" href="/recover"' in page
    assert 'id="login-error" role="alert"' in page
    assert 'data-next="/account?x=1"' in page


def test_login_next_is_never_an_open_redirect(client):
    assert 'data-next="/account"' in html(client.get("/login?next=https://evil.example/"))
    assert 'data-next="/account"' in html(client.get("/login?next=//evil.example/"))


def test_signed_in_login_goes_to_next(client, enrolled):
    response = client.get("/login?next=/account")
    assert response.status_code == 303 and response.headers["Location"] == "/account"


def test_recovery_codes_are_shown_once(client):
    enrolled = enrol(client)
    assert len(enrolled.codes) == 10
    assert len(set(enrolled.codes)) == 10
    page = html(client.get("/account/recovery-codes"))
    assert 'id="recovery-codes"' not in page
    assert '<a id="continue"' in page and 'href="/account"' in page
    with get_db(client.application).read() as db:
        stored = db.query(RecoveryCode).all()
        assert len(stored) == 10
        assert all(len(row.code_hash) == 32 for row in stored)
        assert not any(code.encode() in row.code_hash for row in stored for code in enrolled.codes)


def test_account_page_contract(client):
    key = SoftwareAuthenticator(aaguid=bytes.fromhex("fbfc3007154e4ecc8c0b6e020557d7bd"),
                                backup_eligible=True, backed_up=True)
    enrolled = enrol(client, key)
    page = html(client.get("/account", headers={"Accept-Language": "en"}))
    assert "<h1>" in page and "Ana María López Pérez" in page
    assert '<ul id="passkeys"' in page
    assert f'<li class="passkey card" data-credential-id="{enrolled.key.credential_id_b64}">' in page
    assert '<span class="passkey-name">iCloud Keychain</span>' in page
    assert "Synced across your devices" in page
    assert "Not used yet" in page
    assert f'action="/account/passkeys/{enrolled.key.credential_id_b64}/rename"' in page
    assert 'class="delete-passkey' not in page  # the only passkey
    assert '<button id="add-passkey" type="button"' in page
    assert '<form id="sign-out-form" method="post" action="/logout">' in page
    assert '<button id="sign-out"' in page
    assert "10 unused recovery codes" in page


def add_passkey(client, key: SoftwareAuthenticator):
    options = registration_options(client, {})
    response = post_json(client, "/webauthn/registration/verify", key.register(options))
    assert response.status_code == 200, response.get_json()


def test_rename_and_delete(client, enrolled):
    second = SoftwareAuthenticator()
    add_passkey(client, second)
    page = html(client.get("/account"))
    assert page.count('class="delete-passkey') == 2
    token = csrf(client, "/account")
    response = client.post(f"/account/passkeys/{second.credential_id_b64}/rename",
                           data={"csrf_token": token, "name": "  Mi   teléfono "})
    assert response.headers["Location"] == "/account?done=renamed"
    assert '<span class="passkey-name">Mi teléfono</span>' in html(client.get("/account"))
    response = client.post(f"/account/passkeys/{second.credential_id_b64}/rename",
                           data={"csrf_token": token, "name": "x" * 65})
    assert response.status_code == 400 and 'aria-invalid="true"' in html(response)  # test_rename_refused
    response = client.post(f"/account/passkeys/{enrolled.key.credential_id_b64}/delete",
                           data={"csrf_token": token})
    assert response.headers["Location"] == "/account?done=deleted"
    # This session was checked with the passkey just deleted: no check for another change
    # (tests/idp/account/test_removed_passkey_sessions); confirmed with the one left, it goes on.
    response = client.post(f"/account/passkeys/{second.credential_id_b64}/delete",
                           data={"csrf_token": token})
    assert response.status_code == 200 and 'id="recheck-resubmit"' in html(response)
    assert recheck(client, second).status_code == 200
    response = client.post(f"/account/passkeys/{second.credential_id_b64}/delete",
                           data={"csrf_token": csrf(client, "/account")})
    assert response.headers["Location"] == "/account?error=last_passkey"
    with get_db(client.application).read() as db:
        assert [p.credential_id for p in db.query(Passkey)] == [second.credential_id]


def test_passkey_actions_need_csrf_and_ownership(client, enrolled):
    other, stranger = another_citizen(client.application)
    add_passkey(other, SoftwareAuthenticator())
    token = csrf(client, "/account")
    assert client.post(f"/account/passkeys/{stranger.key.credential_id_b64}/rename",
                       data={"name": "x"}).status_code == 400
    response = client.post(f"/account/passkeys/{stranger.key.credential_id_b64}/delete",
                           data={"csrf_token": token})
    assert response.headers["Location"] == "/account?error=not_found"
    response = client.post("/account/passkeys/***/delete", data={"csrf_token": token})
    assert response.headers["Location"] == "/account?error=not_found"
    with get_db(client.application).read() as db:
        assert db.query(Passkey).count() == 3


def test_recovery_signs_in_only_to_add_a_passkey(client):
    enrolled = enrol(client)
    browser = client.application.test_client()
    token = csrf(browser, "/recover")
    page = html(browser.get("/recover"))
    assert '<label for="national_id">' in page and '<label for="code">' in page
    assert '<button id="recover-submit"' in page
    response = browser.post("/recover", data={"csrf_token": token, "national_id": "048926135",
                                              "code": enrolled.codes[0].lower().replace("-", " ")})
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    cookie = response.headers["Set-Cookie"]
    assert "Max-Age=900" in cookie
    page = html(browser.get("/account"))
    assert 'id="recovery-notice"' in page and 'id="add-passkey"' in page
    assert 'class="rename-passkey' not in page
    # Not signed in for anything else.
    token = csrf(browser, "/account")
    response = browser.post(f"/account/passkeys/{enrolled.key.credential_id_b64}/rename",
                            data={"csrf_token": token, "name": "hijack"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert browser.post("/account/recovery-codes", data={"csrf_token": token}).status_code == 302
    # The code is spent.
    again = client.application.test_client()
    token2 = csrf(again, "/recover")
    failed = again.post("/recover", data={"csrf_token": token2, "national_id": enrolled.national_id,
                                          "code": enrolled.codes[0]})
    assert failed.status_code == 400 and 'id="form-error" role="alert"' in html(failed)
    # Adding a passkey turns the recovery session into a full one.
    new_key = SoftwareAuthenticator()
    add_passkey(browser, new_key)
    page = html(browser.get("/account"))
    assert 'id="recovery-notice"' not in page
    assert page.count('class="passkey card"') == 2
    assert sign_in(client.application.test_client(), new_key).status_code == 200


def test_recovery_failures_look_the_same(client, enrolled):
    browser = client.application.test_client()
    token = csrf(browser, "/recover")
    pages = []
    # A malformed number ("nonsense") is said to be malformed, as /enrol says it: that tells
    # nothing of any account (tests/idp/account/test_citizen8_recover_fields.py). Well-formed
    # pairs that do not match look the same, whichever of the two was wrong.
    for national_id, code in ((enrolled.national_id, "AAAA-BBBB-CCCC"),
                              (dui(99999999), enrolled.codes[1])):
        response = browser.post("/recover", data={"csrf_token": token, "national_id": national_id,
                                                  "code": code})
        assert response.status_code == 400
        pages.append(re.search(r'class="error-summary-list">(.*?)</ul>', html(response), re.S).group(1))
    assert len(set(pages)) == 1 and "<li>" in pages[0]


def test_recovery_is_rate_limited(client, enrolled):
    browser = client.application.test_client()
    token = csrf(browser, "/recover")
    statuses = [browser.post("/recover", data={"csrf_token": token,
                                               "national_id": enrolled.national_id,
                                               "code": "AAAA-BBBB-CCCC"}).status_code
                for _ in range(21)]
    assert statuses[:20] == [400] * 20 and statuses[20] == 429


def test_wrong_codes_from_many_addresses_do_not_lock_the_owner_out(client, enrolled, caplog):
    """Issue 14: 20 wrong codes from anywhere blocked the owner's valid code for 5 minutes."""
    caplog.set_level(logging.WARNING, logger="idp.account.views")
    for number in range(30):
        stranger = client.application.test_client()
        stranger.environ_base["REMOTE_ADDR"] = f"198.51.100.{number + 1}"
        token = csrf(stranger, "/recover")
        assert stranger.post("/recover", data={"csrf_token": token, "national_id": enrolled.national_id,
                                               "code": "AAAA-BBBB-CCCC"}).status_code == 400
    warnings = [r for r in caplog.records if "being guessed" in r.getMessage()]
    assert len(warnings) == 1 and enrolled.national_id not in str(vars(warnings[0]))
    owner = client.application.test_client()
    owner.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    token = csrf(owner, "/recover")
    response = owner.post("/recover", data={"csrf_token": token, "national_id": enrolled.national_id,
                                            "code": enrolled.codes[2]})
    assert response.status_code == 303 and response.headers["Location"] == "/account"


def test_new_recovery_codes_replace_the_old(client, enrolled):
    token = csrf(client, "/account")
    page = html(client.post("/account/recovery-codes", data={"csrf_token": token}))
    codes = re.findall(r"<li>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</li>", page)
    assert len(codes) == 10 and not set(codes) & set(enrolled.codes)
    browser = client.application.test_client()
    token = csrf(browser, "/recover")
    assert browser.post("/recover", data={"csrf_token": token, "national_id": enrolled.national_id,
                                          "code": enrolled.codes[0]}).status_code == 400
    assert browser.post("/recover", data={"csrf_token": token, "national_id": enrolled.national_id,
                                          "code": codes[0]}).status_code == 303


def test_enrolment_is_rate_limited(client):
    statuses = [post_json(client, "/webauthn/registration/options",
                          {"national_id": "bad"}).status_code for _ in range(21)]
    assert statuses[:20] == [400] * 20 and statuses[20] == 429


def test_openapi_describes_the_webauthn_api(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in ("/webauthn/registration/options", "/webauthn/registration/verify",
                 "/webauthn/authentication/options", "/webauthn/authentication/verify"):
        assert "post" in paths[path]


def test_pages_in_english(client):
    page = html(client.get("/login", headers={"Accept-Language": "en"}))
    assert '<html lang="en">' in page and "Sign in with a passkey" in page


def test_a_refused_passkey_name_is_an_error_on_that_field(client, enrolled):
    """A name of spaces only passes the browser's `required`: the page said «Escriba un nombre de
    1 a 64 caracteres» at its top, linked to nothing, and no field was marked, so a citizen with
    two passkeys (or a screen reader) could not tell which rename had failed (WCAG 3.3.1)."""
    second = SoftwareAuthenticator()
    add_passkey(client, second)
    token = csrf(client, "/account")
    response = client.post(f"/account/passkeys/{second.credential_id_b64}/rename",
                           data={"csrf_token": token, "name": "   "})
    assert response.status_code == 400  # the page itself, with the name typed (test_rename_refused)
    page = html(response)
    items = re.findall(r'data-credential-id="([^"]+)"', page)
    field = f"rename-{items.index(second.credential_id_b64) + 1}"
    assert f'<a href="#{field}">' in page  # the error summary points at the field
    tag = re.search(rf'<input id="{field}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in tag and f'aria-describedby="{field}-error"' in tag
    assert re.search(rf'<span class="field-error" id="{field}-error">[^<]+</span>', page)
    other = "rename-1" if field == "rename-2" else "rename-2"
    assert "aria-invalid" not in re.search(rf'<input id="{other}"[^>]*>', page).group(0)
