"""A PID issued before the account's last desk recovery signs nobody in (crossatk4): whoever
held the account's passkeys often held the phone with the citizen's wallet too. The citizen who
loses that phone without going to a desk does the same with a recovery code: signs in with it
on a new device, adds a passkey there and deletes the phone's. Whoever holds the phone (and
its screen lock, which unlocks the synced passkey and the wallet alike) lost the passkey, but
still signed in with the phone's wallet, at level high, into the account the citizen had just
taken back, and from there to every agency. A recovery code spent now counts as a recovery: a
PID issued before it signs nobody in; one the PID provider issued after it (the citizen's new
wallet) does."""
# ruff: noqa: F811 - fixtures imported from test_proofing are parameters here

from __future__ import annotations

import time

from tests.idp.account.test_pages import add_passkey
from tests.idp.conftest import enrol, recover
from tests.idp.oidc.conftest import oidc_app, register, token_request  # noqa: F401
from tests.idp.wallet.test_crossatk4_pid_after_desk_recovery import _pid, _sign_in
from tests.idp.wallet.test_impostor6_wallet_session_pid import _signed_in_with_the_wallet
from tests.idp.wallet.test_proofing import pid_issuer  # noqa: F401 - fixture
from tests.idp.wallet.test_sign_in import _sessions, citizen  # noqa: F401 - fixture
from tests.support.authenticator import SoftwareAuthenticator


def test_a_pid_issued_before_a_recovery_code_was_spent_signs_nobody_in(docs_app, pid_issuer, holder):
    citizen = enrol(docs_app.test_client())
    stolen = _pid(holder, pid_issuer, issued_at=int(time.time()) - 3600)  # in the phone's wallet
    _, done = _sign_in(docs_app, holder, stolen)
    assert done.status_code == 303  # before the recovery, it signs in

    # The citizen, on a new device: a recovery code, a new passkey.
    device = recover(docs_app, citizen.national_id, citizen.codes[0])
    add_passkey(device, SoftwareAuthenticator())
    before = len(_sessions(docs_app, citizen.citizen_id))

    browser, page = _sign_in(docs_app, holder, stolen)  # whoever holds the phone
    assert page.status_code == 403
    assert 'data-status="recovered"' in page.get_data(as_text=True)
    assert browser.get("/account").status_code != 200
    assert len(_sessions(docs_app, citizen.citizen_id)) == before  # no new session

    # The citizen's new wallet, with a PID issued after the recovery, signs in.
    _, page = _sign_in(docs_app, holder, _pid(holder, pid_issuer, issued_at=int(time.time()) + 1))
    assert page.status_code == 303, page.get_data(as_text=True)[:300]


def test_an_account_never_recovered_keeps_signing_in_with_its_pid(docs_app, pid_issuer, holder):
    citizen = enrol(docs_app.test_client())
    pid = _pid(holder, pid_issuer, issued_at=int(time.time()) - 3600)
    assert citizen.codes  # codes made, none spent
    for _ in range(2):
        _, done = _sign_in(docs_app, holder, pid)
        assert done.status_code == 303


SCOPE = "openid profile offline_access"


def test_a_wallet_sign_in_made_before_a_recovery_code_ends_with_it(docs_app, citizen, pid_issuer, holder,
                                                                   register):
    """What the phone's wallet opened before the citizen took the account back goes too: its
    session (which no passkey deletion ends: it holds none) and the agencies' grants made with
    it, whose refresh tokens an app on the phone holds (reason `recovery_code`)."""
    agency = register(max_assurance_level="high", security_profile="oidc", scope=SCOPE,
                      grant_types=["authorization_code", "refresh_token"])
    body: dict = {}
    thief = _signed_in_with_the_wallet(docs_app, agency, pid_issuer, holder, scope=SCOPE, tokens=body)
    assert thief.get("/account").status_code == 200

    device = recover(docs_app, citizen.national_id, citizen.codes[0])  # the citizen, elsewhere
    add_passkey(device, SoftwareAuthenticator())

    assert thief.get("/account").status_code != 200  # was 200: the wallet session went on at high
    assert [s for s in _sessions(docs_app, citizen.citizen_id) if "pop" in s.amr] == []
    refused = token_request(docs_app.test_client(), agency,
                            {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_grant", refused.get_json()
    assert device.get("/account").status_code == 200  # the citizen's own session goes on
