"""A lost or stolen device: the citizen deletes its passkey from the account page.

The confirmation page promises "You will no longer be able to sign in with this passkey";
a session the thief already opened with that passkey must end with it, or the thief keeps
the account (and tokens at the passkey's level) until the session's absolute lifetime.
"""

from __future__ import annotations

from tests.idp.conftest import csrf, post_json, sign_in
from tests.support.authenticator import SoftwareAuthenticator


def test_deleting_a_passkey_ends_the_sessions_signed_in_with_it(client, enrolled, fresh_app):
    stolen = SoftwareAuthenticator()
    options = post_json(client, "/webauthn/registration/options", {})
    assert post_json(client, "/webauthn/registration/verify",
                     stolen.register(options.get_json())).status_code == 200

    thief = fresh_app.test_client()
    assert sign_in(thief, stolen).status_code == 200
    assert thief.get("/account").status_code == 200

    # The citizen, signed in on their own device, deletes the stolen device's passkey.
    assert sign_in(client, enrolled.key).status_code == 200
    token = csrf(client, "/account")
    done = client.post(f"/account/passkeys/{stolen.credential_id_b64}/delete",
                       data={"csrf_token": token})
    assert done.headers["Location"] == "/account?done=deleted"

    assert thief.get("/account").status_code == 302  # signed out
    assert client.get("/account").status_code == 200  # the citizen's own session goes on
