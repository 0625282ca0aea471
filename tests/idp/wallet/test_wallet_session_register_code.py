"""Identity squatting, once more: someone enrolled the person's details with their own passkey;
the person signs in to that account with their wallet (the PID matches the record) and asks
for the register's one-time code on /account/assurance. The code reaches the person, but the
proofing it gives is the account's, which the squatter's passkey inherits: a wallet session,
which holds no passkey of the account, is sent to the passkey re-check first (as for
/account/wallet-proofing) and no code is sent or taken."""
# ruff: noqa: F811 - fixtures imported from test_proofing are parameters here

from __future__ import annotations

from tests.idp.assurance.conftest import proofing
from tests.idp.assurance.test_possession import _import, assert_register_code_needs_reauth
from tests.idp.conftest import enrol
from tests.idp.wallet.test_proofing import pid_issuer  # noqa: F401 - fixture
from tests.idp.wallet.test_sign_in import _done, _present, _respond, _start


def test_a_wallet_session_cannot_raise_the_accounts_proofing_with_a_register_code(
        docs_app, pid_issuer, holder):
    _import(docs_app)
    squatted = enrol(docs_app.test_client())  # the squatter's passkey, the person's details
    assert proofing(docs_app, squatted.citizen_id) == ("low", "register_match")
    person = docs_app.test_client()
    params = _start(person)
    assert _respond(person, params, _present(holder, pid_issuer, params)).status_code == 200
    assert _done(person, params).status_code == 303  # a wallet session on that account

    assert_register_code_needs_reauth(docs_app, person, squatted.citizen_id)
