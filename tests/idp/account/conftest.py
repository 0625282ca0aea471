"""What the account page tests share."""

from __future__ import annotations

# An enrolment without JavaScript with three wrong fields: no family name, a birth date in the
# future and a malformed DUI.
BAD_ENROLMENT = {"given_name": "Ana", "family_name": "", "birthdate": "2999-01-01", "national_id": "123",
                 "email": "ana@example.sv"}


def post_enrolment(client, token: str, fields: dict[str, str]):
    """POST the enrolment form (as a browser without JavaScript would), in English."""
    return client.post("/enrol", data={"csrf_token": token, **fields}, headers={"Accept-Language": "en"})


def refresh(client, agency, tokens: dict):
    """The token endpoint's answer to `agency` refreshing with the refresh token in `tokens`."""
    from tests.idp.oidc.conftest import token_request

    return token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})


def two_passkeys(client):
    """A citizen enrolled in `client` with a passkey (`lost`), who then adds another (`kept`)."""
    from tests.idp.conftest import enrol, post_json
    from tests.support.authenticator import SoftwareAuthenticator

    lost = SoftwareAuthenticator()
    enrol(client, lost)
    kept = SoftwareAuthenticator()
    options = post_json(client, "/webauthn/registration/options", {}).get_json()
    assert post_json(client, "/webauthn/registration/verify", kept.register(options)).status_code == 200
    return lost, kept


def delete_passkey(client, key):
    """The account page's form deleting the passkey `key`."""
    from tests.idp.conftest import csrf

    return client.post(f"/account/passkeys/{key.credential_id_b64}/delete",
                       data={"csrf_token": csrf(client, "/account")})


def clone_with_tokens(client, agency, **params):
    """A citizen enrolled in `client` with a passkey (`genuine`, counter 1) and a clone of it
    (counter 6) that signs in first in another browser (`stolen`) and gets `agency`'s tokens:
    (genuine, stolen, the clone's tokens). `genuine`'s next sign-in is the clone signal."""
    from tests.idp.conftest import enrol, sign_in
    from tests.idp.oidc.conftest import tokens_for
    from tests.support.authenticator import SoftwareAuthenticator

    genuine = SoftwareAuthenticator(counter_step=1)
    enrol(client, genuine)
    clone = SoftwareAuthenticator(credential_id=genuine.credential_id, private_key=genuine.private_key,
                                  user_handle=genuine.user_handle, sign_count=5, counter_step=1)
    stolen = client.application.test_client()
    assert sign_in(stolen, clone).status_code == 200
    return genuine, stolen, tokens_for(stolen, agency, **params)
