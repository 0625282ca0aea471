"""A desk recovery hands the account to the person whose document was checked (crossatk4,
known from round 3): whoever held the account's passkeys often held the phone with the
citizen's wallet too. A PID issued before the recovery (in that wallet) must not sign in any
more; one the PID provider issued after it (the citizen's new wallet) does."""
# ruff: noqa: F811 - fixtures imported from test_proofing are parameters here

from __future__ import annotations

import time

from tests.idp.conftest import enrol
from tests.idp.wallet.test_impostor4_recovery_credentials import _recovery_at_the_desk
from tests.idp.wallet.test_proofing import (  # noqa: F401 - fixtures
    REVEAL,
    _pid_claims,
    pid_issuer,
)
from tests.idp.wallet.test_sign_in import _done, _respond, _sessions, _start
from tests.support.wallet import HeldCredential


def _pid(holder, issuer, *, issued_at: int | None) -> HeldCredential:
    return HeldCredential(issuer.issue(holder_jwk=holder.key.as_dict(private=False),
                                       claims=_pid_claims(), overrides={"iat": issued_at}))


def _sign_in(app, holder, pid: HeldCredential):
    browser = app.test_client()
    params = _start(browser)
    presentation = holder.present(pid, reveal=REVEAL, nonce=params["nonce"], audience=params["client_id"])
    answer = _respond(browser, params, presentation)
    assert answer.status_code == 200, answer.get_json()
    return browser, _done(browser, params)


def test_a_pid_issued_before_a_desk_recovery_signs_nobody_in(docs_app, pid_issuer, holder):
    citizen = enrol(docs_app.test_client())
    stolen = _pid(holder, pid_issuer, issued_at=int(time.time()) - 3600)
    browser, done = _sign_in(docs_app, holder, stolen)
    assert done.status_code == 303  # before the recovery, it signs in

    _recovery_at_the_desk(docs_app, citizen.citizen_id)  # (the desk's view ends that session)
    before = len(_sessions(docs_app, citizen.citizen_id))

    browser, page = _sign_in(docs_app, holder, stolen)
    assert page.status_code == 403
    assert 'data-status="recovered"' in page.get_data(as_text=True)
    assert browser.get("/account").status_code != 200
    assert len(_sessions(docs_app, citizen.citizen_id)) == before  # no new session
    # nor one that says nothing of when it was issued
    _, page = _sign_in(docs_app, holder, _pid(holder, pid_issuer, issued_at=None))
    assert page.status_code == 403

    # The citizen's new wallet, with a PID issued after the recovery, signs in.
    _, page = _sign_in(docs_app, holder, _pid(holder, pid_issuer, issued_at=int(time.time()) + 1))
    assert page.status_code == 303, page.get_data(as_text=True)[:300]
