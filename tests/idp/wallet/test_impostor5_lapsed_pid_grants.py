"""A proofing raised by a PID from a wallet falls back to what the other evidence gives once the
PID's issuer revokes it or it expires (`idp.assurance.wallet_proofing.withdraw`). The grants
agencies hold at a level the account no longer reaches must end with it, as they do when a
recovery code lowers the proofing (tests/security/test_sec7_recovery_lowers_grants.py): a PID
revoked because it was not its holder's (stolen, issued in error) must not go on vouching, through
an agency's refresh token, for the level it gave.

Before: the agency's refresh token went on minting ID tokens at level substantial (and UserInfo
answering for them) for an account proofed at low once the PID was revoked."""
# ruff: noqa: F811 - fixtures imported from the wallet tests are parameters here

from __future__ import annotations

from tests.idp.assurance.conftest import proofing
from tests.idp.oidc.conftest import (
    bearer,
    claims_of,
    exchange,
    get_code,
    registered_agency,
    token_request,
    tokens_for,
)
from tests.idp.wallet.pid import STATUS_URI
from tests.idp.wallet.test_lapsed_pid_proofing import INDEX, _proven
from tests.idp.wallet.test_proofing import citizen, pid_issuer  # noqa: F401 - fixtures

SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
SCOPE = "openid profile offline_access"


def _agency(app):
    return registered_agency(app, grant_types=["authorization_code", "refresh_token"], scope=SCOPE)


def _status_list_ttl_passes(app, pid_issuer) -> None:
    """The status read at /authorize (valid) is kept for the list's ttl: that time has passed."""
    from idp.assurance.wallet_proofing import _status_key
    from infra.store import get_store

    get_store(app).delete(_status_key(STATUS_URI, INDEX, pid_issuer.signer))


def _refresh(client, agency, body):
    return token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})


def test_a_revoked_pid_ends_the_grants_at_the_level_it_gave(web, docs_app, citizen, pid_issuer, holder):
    above, at_low = _agency(docs_app), _agency(docs_app)
    low_body = tokens_for(web, at_low, scope=SCOPE)  # before the PID: level low
    _proven(web, docs_app, citizen, pid_issuer, holder)
    body = tokens_for(web, above, scope=SCOPE, acr_values=SUBSTANTIAL)
    assert claims_of(body["id_token"])["acr"] == SUBSTANTIAL

    pid_issuer.invalid.add(INDEX)  # the issuer revokes the PID
    _status_list_ttl_passes(docs_app, pid_issuer)
    assert web.get("/account/assurance").status_code == 200  # a use of the level records the drop
    with docs_app.app_context():
        assert proofing(docs_app, citizen.citizen_id) == ("low", "self_asserted")

    refused = _refresh(web, above, body)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "invalid_grant"
    assert web.get("/userinfo", headers=bearer(body["access_token"])).status_code == 401
    # A grant made at level low asserts nothing the PID gave: it goes on.
    refreshed = _refresh(web, at_low, low_body)
    assert refreshed.status_code == 200, refreshed.get_json()
    assert claims_of(refreshed.get_json()["id_token"])["acr"] == claims_of(low_body["id_token"])["acr"]


REVOKED = ("the account's identity proofing was lowered while this code was exchanged: its issuer revoked the "
           "PID it rested on; sign the citizen in again (start a new authorization request)")


def test_a_code_issued_on_a_pid_revoked_before_its_exchange_is_refused(web, docs_app, citizen, pid_issuer,
                                                                      holder):
    agency = _agency(docs_app)
    _proven(web, docs_app, citizen, pid_issuer, holder)
    code, flow = get_code(web, agency, scope=SCOPE, acr_values=SUBSTANTIAL)

    pid_issuer.invalid.add(INDEX)
    _status_list_ttl_passes(docs_app, pid_issuer)
    assert web.get("/account/assurance").status_code == 200

    refused = exchange(web, agency, code, flow)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json() == {"error": "invalid_grant", "error_description": REVOKED}


def test_the_sign_in_that_finds_the_pid_revoked_gets_its_code_at_the_level_left(web, docs_app, citizen,
                                                                               pid_issuer, holder):
    """The first read of the level after the revocation is often an agency's sign-in: its code is
    issued at the level left (low), which the lowering keeps; the agency is not refused it."""
    agency = _agency(docs_app)
    _proven(web, docs_app, citizen, pid_issuer, holder)
    pid_issuer.invalid.add(INDEX)
    _status_list_ttl_passes(docs_app, pid_issuer)

    code, flow = get_code(web, agency, scope=SCOPE)  # reads the level: the drop is recorded after it
    with docs_app.app_context():
        assert proofing(docs_app, citizen.citizen_id) == ("low", "self_asserted")
    answered = exchange(web, agency, code, flow)
    assert answered.status_code == 200, answered.get_json()
    assert claims_of(answered.get_json()["id_token"])["acr"] == "http://eidas.europa.eu/LoA/low"
