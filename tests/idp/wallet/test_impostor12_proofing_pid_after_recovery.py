"""A PID issued before the account's last recovery raises no proofing (impostor review, round 12).

A recovery code proves that its bearer holds a code, not who they are: spending one takes the
account's proofing back to low, so the passkey its bearer adds does not inherit the level
someone else proved (`idp.account.views.recover`). And a PID issued before a recovery signs
nobody in (`idp.wallet.sign_in.recovered_at`, tests/idp/wallet/test_impostor8_pid_after_recovery_code.py):
whoever held the account's device often holds the wallet on it too.

The same PID still raised the proofing. A thief with the citizen's phone (its wallet, and the
recovery codes kept beside it) spent a code, added their own passkey (level low), then showed
the phone's PID at /account/wallet-proofing: the account was proofed at high again, and the
thief's passkey signed documents and agencies' sign-ins at high in the citizen's name. Now
that PID is refused there as at the sign-in ("recovered", nothing raised); one the PID provider
issued after the recovery (a new wallet) raises the proofing as before."""
# ruff: noqa: F811 - fixtures imported from the wallet tests are parameters here

from __future__ import annotations

import time
from urllib.parse import urlsplit

from tests.idp.account.test_pages import add_passkey
from tests.idp.assurance.conftest import proofing
from tests.idp.conftest import enrol, recover
from tests.idp.wallet.test_crossatk4_pid_after_desk_recovery import _pid
from tests.idp.wallet.test_proofing import REVEAL, _request, _respond, pid_issuer  # noqa: F401 - fixture
from tests.support.authenticator import SoftwareAuthenticator


def _prove(browser, holder, pid) -> str:
    """Show `pid` at /account/wallet-proofing in `browser` (same device): the outcome page."""
    params = _request(browser)
    presentation = holder.present(pid, reveal=REVEAL, nonce=params["nonce"], audience=params["client_id"])
    answer = _respond(browser, params, presentation)
    assert answer.status_code == 200, answer.get_json()
    back = urlsplit(answer.get_json()["redirect_uri"])
    return browser.get(f"{back.path}?{back.query}").get_data(as_text=True)


def test_a_pid_issued_before_a_recovery_code_raises_no_proofing(docs_app, pid_issuer, holder):
    citizen = enrol(docs_app.test_client())
    stolen = _pid(holder, pid_issuer, issued_at=int(time.time()) - 3600)  # in the phone's wallet

    thief = recover(docs_app, citizen.national_id, citizen.codes[0])  # a code kept with the phone
    add_passkey(thief, SoftwareAuthenticator())
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"

    page = _prove(thief, holder, stolen)
    assert 'data-status="recovered"' in page
    assert "se emitió antes de que su cuenta se recuperara" in page
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"


def test_the_refusal_says_what_to_do_in_english(docs_app, pid_issuer, holder):
    citizen = enrol(docs_app.test_client())
    stolen = _pid(holder, pid_issuer, issued_at=int(time.time()) - 3600)
    browser = recover(docs_app, citizen.national_id, citizen.codes[0])
    add_passkey(browser, SoftwareAuthenticator())
    browser.get("/language/en")
    page = _prove(browser, holder, stolen)
    assert 'data-status="recovered"' in page
    assert "Ask your provider for a new digital identity" in page


def test_a_pid_issued_after_the_recovery_raises_the_proofing(docs_app, pid_issuer, holder):
    citizen = enrol(docs_app.test_client())
    device = recover(docs_app, citizen.national_id, citizen.codes[0])
    add_passkey(device, SoftwareAuthenticator())
    page = _prove(device, holder, _pid(holder, pid_issuer, issued_at=int(time.time()) + 1))
    assert 'data-status="raised"' in page
    assert proofing(docs_app, citizen.citizen_id) == ("high", "eudi_wallet")
