"""A wallet sign-in's grant is at level high because of the PID its session presented. A refresh
re-judges that PID (`idp.assurance.held_level.refused_refresh`); the grant now keeps the PID's
expiry and status reference itself, from its exchange (the `pid` member of its claims document,
`idp.oidc.claims.PID`: no migration), so the refresh still judges it once the session is gone
(it expired, or its record was dropped), for the grant's whole lifetime.

Before: the refresh read the PID from the session only (`SsoSession.pid`, while it lives): once
the session had ended, a grant resting on a PID since revoked went on being refreshed at high."""
# ruff: noqa: F811 - fixtures imported from the wallet and OIDC tests are parameters here

from __future__ import annotations

import json

from idp.sessions import records
from infra.store import get_store
from tests.idp.oidc.conftest import oidc_app, register, token_request  # noqa: F401
from tests.idp.wallet.pid import STATUS_URI
from tests.idp.wallet.test_impostor6_wallet_session_pid import (
    REVOKED,
    _now,
    _signed_in_with_the_wallet,
    _time_passes,
)
from tests.idp.wallet.test_proofing import pid_issuer  # noqa: F401 - fixture
from tests.idp.wallet.test_sign_in import _sessions, citizen  # noqa: F401

SCOPE = "openid profile offline_access"


def _agency(register):
    return register(max_assurance_level="high", security_profile="oidc", scope=SCOPE,
                    grant_types=["authorization_code", "refresh_token"])


def _refresh(app, agency, refresh_token):
    return token_request(app.test_client(), agency, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def test_a_refresh_once_the_session_is_gone_still_judges_the_pid(docs_app, citizen, pid_issuer, holder, register):
    from idp.assurance.wallet_proofing import _status

    agency = _agency(register)
    body: dict = {}
    _signed_in_with_the_wallet(docs_app, agency, pid_issuer, holder, scope=SCOPE, tokens=body)
    (session,) = [s for s in _sessions(docs_app, citizen.citizen_id) if "pop" in s.amr]
    get_store(docs_app).delete(records.BY_SID + session.sid)  # the session is gone (no sign-out)

    pid_issuer.invalid.add(0)  # the issuer revokes the PID
    _time_passes(docs_app, pid_issuer)
    with docs_app.test_request_context():  # the list was read again (and is kept)
        assert _status(STATUS_URI, 0, iss=json.loads(session.pid)["iss"], signer=json.loads(session.pid)["ik"],
                       now=_now()) == "revoked"

    refused = _refresh(docs_app, agency, body["refresh_token"])
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json() == {"error": "invalid_grant", "error_description": REVOKED}


def test_a_refresh_once_the_session_is_gone_goes_on_while_the_pid_holds(docs_app, citizen, pid_issuer, holder,
                                                                         register):
    agency = _agency(register)
    body: dict = {}
    _signed_in_with_the_wallet(docs_app, agency, pid_issuer, holder, scope=SCOPE, tokens=body)
    (session,) = [s for s in _sessions(docs_app, citizen.citizen_id) if "pop" in s.amr]
    get_store(docs_app).delete(records.BY_SID + session.sid)

    refreshed = _refresh(docs_app, agency, body["refresh_token"])
    assert refreshed.status_code == 200, refreshed.get_json()
