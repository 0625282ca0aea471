"""A wallet session proves who is at the browser (the PID holder), not that the account's
passkeys are theirs: in a squatted account the two are different people, and a wallet session
may also have been handed to someone else's browser (a cross-device QR code scanned on
request, docs/wallet.md). So every sensitive account action (idp.account.reauth.ACTIONS) needs
a re-check with one of the account's own passkeys in a wallet session, not only adding a
passkey and new recovery codes: deleting a passkey, accepting a suspect one again, closing the
account. After the re-check (the session then holds a passkey of the account) they go on."""
# ruff: noqa: F811 - fixtures imported from test_proofing are parameters here

from __future__ import annotations

import pytest
import sqlalchemy as sa

from idp.citizens.models import Citizen, Passkey, is_closed
from infra.db import get_db
from tests.idp.account.test_reauth import _add_passkey, _uuid
from tests.idp.conftest import csrf, enrol, recheck
from tests.idp.wallet.test_proofing import pid_issuer  # noqa: F401 - fixture
from tests.idp.wallet.test_wallet_session_passkeys import _wallet_session
from tests.support.authenticator import SoftwareAuthenticator


def _passkeys(app, citizen_id: str) -> int:
    with get_db(app).read() as db:
        return db.scalar(sa.select(sa.func.count()).select_from(Passkey)
                         .where(Passkey.citizen_id == _uuid(citizen_id)))


def _squatted_with_two_passkeys(app):
    squatter = app.test_client()
    enrolled = enrol(squatter)
    second = SoftwareAuthenticator()
    assert _add_passkey(squatter, second).status_code == 200
    return enrolled, second


def _is_recheck(page, action: str) -> bool:
    body = page.get_data(as_text=True)
    return page.status_code == 200 and f'action="{action}"' in body and 'id="recheck-resubmit"' in body


@pytest.mark.parametrize("verb", ["delete", "trust"])
def test_a_wallet_session_cannot_delete_or_trust_a_passkey(docs_app, pid_issuer, holder, verb):
    squatted, second = _squatted_with_two_passkeys(docs_app)
    person = _wallet_session(docs_app, holder, pid_issuer)
    action = f"/account/passkeys/{second.credential_id_b64}/{verb}"
    page = person.post(action, data={"csrf_token": csrf(person, "/account")})
    assert _is_recheck(page, action), page.get_data(as_text=True)[:400]
    assert _passkeys(docs_app, squatted.citizen_id) == 2


def test_a_wallet_session_cannot_close_the_account(docs_app, pid_issuer, holder):
    squatted = enrol(docs_app.test_client())
    person = _wallet_session(docs_app, holder, pid_issuer)
    assert "/account/reauth" in person.get("/account/close").get_data(as_text=True)
    page = person.post("/account/close", data={"csrf_token": csrf(person, "/account/close"), "confirm": "close"})
    assert _is_recheck(page, "/account/close"), page.get_data(as_text=True)[:400]
    with get_db(docs_app).read() as db:
        citizen = db.get(Citizen, _uuid(squatted.citizen_id))
        assert citizen is not None and not is_closed(citizen)


def test_after_a_recheck_with_the_accounts_passkey_the_action_goes_on(docs_app, pid_issuer, holder):
    """The holder of both (their own account, signed in with the wallet) re-checks with their
    passkey and deletes the other one."""
    squatted, second = _squatted_with_two_passkeys(docs_app)
    person = _wallet_session(docs_app, holder, pid_issuer)
    assert recheck(person, squatted.key).status_code == 200
    action = f"/account/passkeys/{second.credential_id_b64}/delete"
    done = person.post(action, data={"csrf_token": csrf(person, "/account")})
    assert done.status_code == 303 and done.headers["Location"] == "/account?done=deleted"
    assert _passkeys(docs_app, squatted.citizen_id) == 1
