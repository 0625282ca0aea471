"""W3C WebAuthn Level 3, section 7.2 step 6: when the user was identified before the ceremony
(a re-check of the signed-in citizen, whose options list their passkeys), an assertion whose
`userHandle` is null is verified against that user's credential (the authenticator may leave
the user handle out when `allowCredentials` names the credential: 5.4.3 / 6.3.3); one that
names another user is refused. A usernameless sign-in still needs the user handle."""

from __future__ import annotations

from tests.idp.conftest import another_citizen, post_json, recheck, sign_in_options
from tests.support.authenticator import SoftwareAuthenticator


def _without_user_handle(key: SoftwareAuthenticator, options: dict) -> dict:
    assertion = key.authenticate(options)
    assertion["response"]["userHandle"] = None
    return assertion


def test_a_recheck_without_user_handle_is_verified_for_the_signed_in_citizen(client, enrolled):
    options = post_json(client, "/account/reauth/options", {})
    assert options.status_code == 200, options.get_json()
    done = post_json(client, "/account/reauth/verify",
                     _without_user_handle(enrolled.key, options.get_json()))
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "ok"


def test_a_recheck_naming_another_user_is_still_refused(client, enrolled):
    refused = recheck(client, enrolled.key, user_handle=b"\x01" * 32)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "invalid_credential"


def test_a_recheck_with_another_citizens_passkey_and_no_user_handle_is_refused(client, enrolled):
    _, stranger = another_citizen(client.application)
    options = post_json(client, "/account/reauth/options", {})
    refused = post_json(client, "/account/reauth/verify",
                        _without_user_handle(stranger.key, options.get_json()))
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "unknown_credential"


def test_a_usernameless_sign_in_still_needs_the_user_handle(client, enrolled):
    browser = client.application.test_client()
    refused = post_json(browser, "/webauthn/authentication/verify",
                        _without_user_handle(enrolled.key, sign_in_options(browser)))
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "invalid_credential"
