"""A wallet sign-in is at level high because of the PID it presented (`idp.wallet.sign_in`). The
session now keeps that PID's expiry and status reference (`SsoSession.pid`), and is worth level
low once the PID expires or its issuer revokes it (`idp.assurance.services.assess`), as a session
checked with a passkey since removed or marked suspect is: an agency asking for high then gets
no code at high from it.

Before: the session stayed at level high for its whole lifetime (hours), whatever became of the
PID: a PID revoked because it was stolen went on signing its thief in to agencies at high."""
# ruff: noqa: F811 - fixtures imported from the wallet and OIDC tests are parameters here

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlsplit

from idp.assurance.services import assess
from infra.db import get_db
from tests.idp.oidc.conftest import Flow, authorize_url, claims_of, exchange, get_code, oidc_app, register  # noqa: F401
from tests.idp.wallet.pid import STATUS_URI
from tests.idp.wallet.test_proofing import pid_issuer  # noqa: F401 - fixture
from tests.idp.wallet.test_sign_in import _done, _present, _respond, _sessions, _start, citizen  # noqa: F401

HIGH = "http://eidas.europa.eu/LoA/high"
LOW = "http://eidas.europa.eu/LoA/low"


def _signed_in_with_the_wallet(app, agency, pid_issuer, holder, *, scope="openid", tokens=None):
    """A wallet sign-in for the agency's request at level high; the agency's tokens say high."""
    browser, flow = app.test_client(), Flow()
    asked = browser.get(authorize_url(agency, flow, scope=scope, acr_values=HIGH))
    pending = unquote(parse_qs(urlsplit(asked.headers["Location"]).query)["next"][0])
    params = _start(browser, next_=pending)
    assert _respond(browser, params, _present(holder, pid_issuer, params)).status_code == 200
    assert _done(browser, params).status_code == 303
    code, _ = get_code(browser, agency, flow, scope=scope, acr_values=HIGH)
    answered = exchange(browser, agency, code, flow).get_json()
    assert claims_of(answered["id_token"])["acr"] == HIGH
    if tokens is not None:
        tokens.update(answered)
    return browser


def _time_passes(app, pid_issuer) -> None:
    """The status read at sign-in (valid) and the level kept per process have had their time."""
    from idp.assurance.wallet_proofing import _status_key
    from idp.oidc.current import provider
    from infra.store import get_store

    get_store(app).delete(_status_key(STATUS_URI, 0, pid_issuer.signer))
    provider(app).sign_in_levels.clear()


def _level(app, session, pid):
    with app.app_context(), get_db(app).read() as db:
        return assess(db, citizen_id=session.citizen_id, credential_id=None, amr=session.amr, pid=pid).level


def test_a_wallet_session_whose_pid_is_revoked_is_worth_low(docs_app, citizen, pid_issuer, holder, register):
    agency = register(max_assurance_level="high", security_profile="oidc")
    browser = _signed_in_with_the_wallet(docs_app, agency, pid_issuer, holder)
    (session,) = [s for s in _sessions(docs_app, citizen.citizen_id) if "pop" in s.amr]
    assert json.loads(session.pid)["uri"] == STATUS_URI

    pid_issuer.invalid.add(0)  # the issuer revokes the PID (stolen, issued in error)
    _time_passes(docs_app, pid_issuer)

    assert _level(docs_app, session, session.pid) == "low"
    # The agency asks again: no code at high from this session; one without a level says low.
    flow = Flow()
    asked = browser.get(authorize_url(agency, flow, acr_values=HIGH))
    assert asked.status_code in (302, 303)
    assert "code=" not in asked.headers["Location"]
    code, flow = get_code(browser, agency)
    assert claims_of(exchange(browser, agency, code, flow).get_json()["id_token"])["acr"] == LOW


def test_a_wallet_session_whose_pid_expired_is_worth_low(docs_app, citizen, pid_issuer, holder, register):
    agency = register(max_assurance_level="high", security_profile="oidc")
    _signed_in_with_the_wallet(docs_app, agency, pid_issuer, holder)
    (session,) = [s for s in _sessions(docs_app, citizen.citizen_id) if "pop" in s.amr]
    assert _level(docs_app, session, session.pid) == "high"
    expired = json.dumps({**json.loads(session.pid), "exp": 1_000_000_000})
    assert _level(docs_app, session, expired) == "low"


REVOKED = ("the level of assurance of this grant rested on a PID that its issuer has since revoked; sign the "
           "citizen in again (start a new authorization request)")


def test_a_refresh_of_a_wallet_sign_ins_grant_after_its_pid_is_revoked_is_refused(
        docs_app, citizen, pid_issuer, holder, register):
    """The agency's refresh does not wait for the session to be read: the status reading kept (by
    any use of the list, in any worker) is enough, with no fetch at /token."""
    from idp.assurance.wallet_proofing import _status
    from tests.idp.oidc.conftest import token_request

    scope = "openid profile offline_access"
    agency = register(max_assurance_level="high", security_profile="oidc", scope=scope,
                      grant_types=["authorization_code", "refresh_token"])
    body: dict = {}
    _signed_in_with_the_wallet(docs_app, agency, pid_issuer, holder, scope=scope, tokens=body)
    (session,) = [s for s in _sessions(docs_app, citizen.citizen_id) if "pop" in s.amr]

    pid_issuer.invalid.add(0)
    _time_passes(docs_app, pid_issuer)
    with docs_app.test_request_context():  # the list was read again (and is kept)
        assert _status(STATUS_URI, 0, iss=json.loads(session.pid)["iss"], signer=json.loads(session.pid)["ik"],
                       now=_now()) == "revoked"

    refused = token_request(docs_app.test_client(), agency,
                            {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json() == {"error": "invalid_grant", "error_description": REVOKED}


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)
