"""Deleting a lost device's passkey ends its sessions, and what agencies were given in them:
a refresh token (offline_access) outlives a session by design, so an agency's app on the
lost phone kept reading the account after the citizen removed the phone's passkey."""

from __future__ import annotations

from tests.idp.account.conftest import clone_with_tokens, delete_passkey, refresh, two_passkeys
from tests.idp.conftest import recheck, sign_in
from tests.idp.oidc.conftest import bearer, oidc_app, register, tokens_for  # noqa: F401

OFFLINE = "openid profile offline_access"


def test_deleting_a_lost_passkey_ends_the_tokens_given_in_its_sessions(client, oidc_app, register):  # noqa: F811
    agency = register(scope=OFFLINE)
    lost, kept = two_passkeys(client)
    phone = oidc_app.test_client()  # the lost phone, signed in with its passkey
    assert sign_in(phone, lost).status_code == 200
    on_phone = tokens_for(phone, agency, scope=OFFLINE)
    assert recheck(client, kept).status_code == 200
    own = tokens_for(client, agency, scope=OFFLINE)  # the citizen's own browser, checked with kept
    assert delete_passkey(client, lost).headers["Location"] == "/account?done=deleted"
    refused = refresh(phone, agency, on_phone)
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_grant"
    assert phone.get("/userinfo", headers=bearer(on_phone["access_token"])).status_code == 401
    assert refresh(client, agency, own).status_code == 200


def test_a_clone_signal_ends_the_tokens_given_in_the_clones_sessions(client, oidc_app, register):  # noqa: F811
    agency = register(scope=OFFLINE)
    genuine, stolen, on_clone = clone_with_tokens(client, agency, scope=OFFLINE)  # count 6: the clone first
    refused = sign_in(oidc_app.test_client(), genuine)  # count 2: the clone signal
    assert refused.get_json()["error"] == "sign_count_regression"
    answer = refresh(stolen, agency, on_clone)
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_grant"
