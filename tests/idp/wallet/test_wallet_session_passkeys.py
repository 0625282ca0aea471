"""A wallet session proves who is at the browser, not that the account's passkeys are theirs
(someone may have enrolled the person's details with their own passkey). It must not become a
way to hold a passkey of the account: adding one, or taking new recovery codes (which open a
session that adds one), needs a re-check with a passkey the account already has. Otherwise
the person adds their passkey, proves their identity with the wallet in that passkey session,
and the squatter's passkey inherits the level."""
# ruff: noqa: F811 - fixtures imported from test_proofing are parameters here

from __future__ import annotations

import re

from tests.idp.assurance.conftest import proofing
from tests.idp.conftest import csrf, enrol, post_json
from tests.idp.wallet.test_proofing import pid_issuer  # noqa: F401 - fixture
from tests.idp.wallet.test_sign_in import _done, _present, _respond, _start
from tests.support.authenticator import SoftwareAuthenticator


def _wallet_session(app, holder, issuer):
    person = app.test_client()
    params = _start(person)
    assert _respond(person, params, _present(holder, issuer, params)).status_code == 200
    assert _done(person, params).status_code == 303
    return person


def test_a_wallet_session_cannot_add_a_passkey_without_one_of_the_accounts(
        docs_app, pid_issuer, holder):
    squatted = enrol(docs_app.test_client())
    person = _wallet_session(docs_app, holder, pid_issuer)
    options = post_json(person, "/webauthn/registration/options", {})
    assert options.status_code == 403
    assert options.get_json()["error"] == "reauthentication_required"
    assert options.get_json()["reauth_uri"].startswith("/account/reauth?")
    # a challenge asked for in a passkey session of the account is no use here either
    from idp.webauthn import ceremonies, relying_party
    from infra.db import get_db
    from infra.store import get_store

    with docs_app.app_context(), get_db(docs_app).read() as db:
        stolen = ceremonies.begin_adding(db, get_store(docs_app), rp=relying_party(docs_app),
                                         citizen_id=squatted.citizen_id, now=__import__("time").time())
    added = post_json(person, "/webauthn/registration/verify", SoftwareAuthenticator().register(stolen))
    assert added.status_code == 403
    assert proofing(docs_app, squatted.citizen_id)[0] == "low"


def test_a_wallet_session_cannot_take_new_recovery_codes(docs_app, pid_issuer, holder):
    enrol(docs_app.test_client())
    person = _wallet_session(docs_app, holder, pid_issuer)
    page = person.post("/account/recovery-codes",
                       data={"csrf_token": csrf(person, "/account/recovery-codes")})
    html = page.get_data(as_text=True)
    assert not re.findall(r"<li>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</li>", html)
