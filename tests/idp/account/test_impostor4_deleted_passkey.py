"""Impostor review, round 4: deleting a lost device's passkey ends what it made, also what
outlived the sessions it signed in (a refresh token an agency's app on the lost phone holds
after the thief signed out there, or after that session ran out)."""

from __future__ import annotations

from tests.idp.account.conftest import clone_with_tokens, delete_passkey, refresh, two_passkeys
from tests.idp.conftest import csrf, recheck, sign_in
from tests.idp.oidc.conftest import bearer, oidc_app, register, tokens_for  # noqa: F401

OFFLINE = "openid profile offline_access"


def test_tokens_given_in_an_ended_session_of_the_deleted_passkey_end_too(client, oidc_app, register):  # noqa: F811
    agency = register(scope=OFFLINE)
    lost, kept = two_passkeys(client)
    phone = oidc_app.test_client()  # the lost phone: the thief signs in, an agency app keeps a refresh token
    assert sign_in(phone, lost).status_code == 200
    on_phone = tokens_for(phone, agency, scope=OFFLINE)
    assert phone.post("/logout", data={"csrf_token": csrf(phone, "/account")}).status_code == 303
    assert phone.get("/account").status_code == 302  # that session ended; the refresh token did not
    still = refresh(phone, agency, on_phone)
    assert still.status_code == 200
    on_phone = still.get_json()
    assert recheck(client, kept).status_code == 200
    own = tokens_for(client, agency, scope=OFFLINE)
    assert delete_passkey(client, lost).headers["Location"] == "/account?done=deleted"
    refused = refresh(phone, agency, on_phone)
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_grant"
    assert refresh(client, agency, own).status_code == 200


def test_tokens_a_clone_got_in_a_session_that_ended_end_at_the_clone_signal(client, oidc_app, register):  # noqa: F811
    agency = register(scope=OFFLINE)
    genuine, stolen, on_clone = clone_with_tokens(client, agency, scope=OFFLINE)
    assert stolen.post("/logout", data={"csrf_token": csrf(stolen, "/account")}).status_code == 303
    refused = sign_in(oidc_app.test_client(), genuine)  # the counter went back: the clone signal
    assert refused.get_json()["error"] == "sign_count_regression"
    answer = refresh(stolen, agency, on_clone)
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_grant"


def test_the_deleting_browsers_own_tokens_stay(client, oidc_app, register):  # noqa: F811
    """The citizen signed in here with the passkey they now delete (a synced one they replace),
    re-checked with the other: this browser's session goes on, and so do its agencies."""
    agency = register(scope=OFFLINE)
    lost, kept = two_passkeys(client)
    assert sign_in(client, lost).status_code == 200
    own = tokens_for(client, agency, scope=OFFLINE)
    assert recheck(client, kept).status_code == 200
    assert delete_passkey(client, lost).headers["Location"] == "/account?done=deleted"
    assert refresh(client, agency, own).status_code == 200
