"""Impostor review, round 4: a recovery code someone else saw. They spend it at /recover and
hold a recovery session, whose one use is adding a passkey. The citizen, told that a code was
used, makes new codes ("the old ones stop working"): the session opened with an old code must
end too, or its holder still adds their passkey and keeps the account."""

from __future__ import annotations

from tests.idp.conftest import csrf, post_json, recheck, recover
from tests.support.authenticator import SoftwareAuthenticator


def _new_codes(client):
    return client.post("/account/recovery-codes", data={"csrf_token": csrf(client, "/account")})


def test_new_codes_end_the_recovery_sessions_opened_with_the_old_ones(client, enrolled, fresh_app):
    impostor = recover(fresh_app, enrolled.national_id, enrolled.codes[0])
    assert recheck(client, enrolled.key).status_code == 200
    assert _new_codes(client).status_code == 200
    refused = post_json(impostor, "/webauthn/registration/options", {})
    assert refused.status_code == 401 and refused.get_json()["error"] == "login_required"
    assert client.get("/account").status_code == 200  # the citizen's own session goes on


def test_options_fetched_before_the_new_codes_add_no_passkey(client, enrolled, fresh_app):
    impostor = recover(fresh_app, enrolled.national_id, enrolled.codes[0])
    options = post_json(impostor, "/webauthn/registration/options", {}).get_json()
    assert recheck(client, enrolled.key).status_code == 200
    assert _new_codes(client).status_code == 200
    refused = post_json(impostor, "/webauthn/registration/verify", SoftwareAuthenticator().register(options))
    assert refused.status_code in (401, 403), refused.get_json()
