"""The last step of an enrolment with a PID (`/enrol/wallet/complete`) raises the new account's
proofing to high, which every passkey of the account inherits. As for a PID handed over to
`/account/wallet-proofing/done` (tests/idp/wallet/test_blocked_passkey_proofing_done.py), a
session whose passkey was marked suspect (a clone signal) or removed meanwhile makes no check:
the PID is not applied through it.

Before: the complete step looked only for a passkey session, and raised the account to high
through a session checked with a passkey blocked as cloned."""
# ruff: noqa: F811 - fixtures imported from the wallet tests are parameters here

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from idp.citizens.models import Passkey
from infra.db import get_db
from tests.idp.assurance.conftest import proofing
from tests.idp.conftest import dui, fields, post_json
from tests.idp.wallet.test_enrolment import _done, _share, _start
from tests.idp.wallet.test_proofing import pid_issuer  # noqa: F401 - fixtures
from tests.support.authenticator import SoftwareAuthenticator


def _enrolled_from_a_pid(app, pid_issuer, holder):
    browser = app.test_client()
    params = _start(browser)
    number = dui(7654321)
    answer = _share(browser, holder, pid_issuer, params, personal_administrative_number=number)
    assert answer.status_code == 200, answer.get_json()
    assert _done(browser, params).status_code == 200  # the wallet comes back: the form, filled from the PID
    key = SoftwareAuthenticator()
    options = post_json(browser, "/webauthn/registration/options",
                        fields(national_id=number, email="ana@correo.example"))
    created = post_json(browser, "/webauthn/registration/verify", key.register(options.get_json()))
    assert created.status_code == 200, created.get_json()
    with get_db(app).read() as db:
        citizen_id = db.scalars(sa.select(Passkey.citizen_id).where(Passkey.credential_id == key.credential_id)).one()
    return browser, params, key, citizen_id


def test_a_session_whose_passkey_was_marked_suspect_applies_no_pid(docs_app, pid_issuer, holder):
    browser, params, key, citizen_id = _enrolled_from_a_pid(docs_app, pid_issuer, holder)
    with get_db(docs_app).transaction() as db:  # a clone signal committed while the session lives on
        db.execute(sa.update(Passkey).where(Passkey.credential_id == key.credential_id)
                   .values(suspect_since=datetime.now(UTC)))

    complete = browser.get(f"/enrol/wallet/complete?state={params['state']}")
    assert 'data-status="raised"' not in complete.get_data(as_text=True)
    assert proofing(docs_app, citizen_id)[0] == "low"


def test_a_sound_session_still_completes_the_enrolment(docs_app, pid_issuer, holder):
    browser, params, _key, citizen_id = _enrolled_from_a_pid(docs_app, pid_issuer, holder)
    complete = browser.get(f"/enrol/wallet/complete?state={params['state']}")
    assert 'data-status="raised"' in complete.get_data(as_text=True)
    assert proofing(docs_app, citizen_id) == ("high", "eudi_wallet")
