"""A PID lapse used to be noticed only when something read the level (a sign-in, the account
page): an agency's refresh did not, so it went on refreshing a grant at the level the PID gave
until the citizen came back. A refresh re-judges the level from what is stored, in its own
transaction and without any network fetch (`idp.assurance.lowered_grants.refused_refresh`):
the PID's expiry, and the last reading of its status list (kept by any use of the level, in
any worker). A lapse found there is withdrawn in that transaction (the grants above the level
left end) and the refresh is refused with a sentence saying why; a grant at the level left
goes on.

Before: both refreshes below answered 200 with acr substantial."""
# ruff: noqa: F811 - fixtures imported from the wallet tests are parameters here

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa

from idp.assurance.models import ProofingEvidence
from infra.db import get_db
from tests.idp.assurance.conftest import proofing
from tests.idp.oidc.conftest import claims_of, tokens_for
from tests.idp.wallet.pid import STATUS_URI
from tests.idp.wallet.test_impostor5_lapsed_pid_grants import (
    SCOPE,
    SUBSTANTIAL,
    _agency,
    _refresh,
    _status_list_ttl_passes,
)
from tests.idp.wallet.test_lapsed_pid_proofing import INDEX, _proven
from tests.idp.wallet.test_proofing import citizen, pid_issuer  # noqa: F401 - fixtures

AGAIN = "; sign the citizen in again (start a new authorization request)"
EXPIRED = "the level of assurance of this grant rested on a PID that has since expired" + AGAIN
REVOKED = "the level of assurance of this grant rested on a PID that its issuer has since revoked" + AGAIN


def _granted(web, app, citizen, pid_issuer, holder):
    at_low = _agency(app)
    low_body = tokens_for(web, at_low, scope=SCOPE)  # before the PID: level low
    _proven(web, app, citizen, pid_issuer, holder)
    above = _agency(app)
    body = tokens_for(web, above, scope=SCOPE, acr_values=SUBSTANTIAL)
    assert claims_of(body["id_token"])["acr"] == SUBSTANTIAL
    return (above, body), (at_low, low_body)


def test_a_refresh_after_the_pid_expired_is_refused_and_withdraws_it(web, docs_app, citizen, pid_issuer, holder):
    (above, body), (at_low, low_body) = _granted(web, docs_app, citizen, pid_issuer, holder)
    with get_db(docs_app).transaction() as db:  # the PID's exp passes; nothing reads the level
        evidence = _evidence(docs_app, citizen, db)
        evidence.detail = json.dumps({**json.loads(evidence.detail), "exp": 1_000_000_000})

    refused = _refresh(web, above, body)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json() == {"error": "invalid_grant", "error_description": EXPIRED}
    with docs_app.app_context():  # withdrawn in the refresh's transaction
        assert proofing(docs_app, citizen.citizen_id) == ("low", "self_asserted")
    assert _refresh(web, above, body).status_code == 400  # the grant stays ended
    refreshed = _refresh(web, at_low, low_body)  # a grant at the level left goes on
    assert refreshed.status_code == 200, refreshed.get_json()


def test_a_refresh_after_a_status_reading_says_revoked_is_refused(web, docs_app, citizen, pid_issuer, holder):
    (above, body), _ = _granted(web, docs_app, citizen, pid_issuer, holder)
    pid_issuer.invalid.add(INDEX)  # the issuer revokes the PID
    _status_list_ttl_passes(docs_app, pid_issuer)
    with docs_app.test_request_context():  # another use of the list (any worker) read it: kept
        from idp.assurance.wallet_proofing import _status

        evidence = _evidence(docs_app, citizen)
        assert _status(STATUS_URI, INDEX, iss=evidence.source, signer=json.loads(evidence.detail)["ik"],
                       now=_now()) == "revoked"

    refused = _refresh(web, above, body)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json() == {"error": "invalid_grant", "error_description": REVOKED}
    with docs_app.app_context():
        assert proofing(docs_app, citizen.citizen_id) == ("low", "self_asserted")


def _evidence(app, citizen, db=None):
    if db is None:
        with get_db(app).read() as session:
            return _evidence(app, citizen, session)
    return db.scalars(sa.select(ProofingEvidence).where(
        ProofingEvidence.citizen_id == uuid.UUID(citizen.citizen_id), ProofingEvidence.kind == "eudi_wallet")).one()


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)
