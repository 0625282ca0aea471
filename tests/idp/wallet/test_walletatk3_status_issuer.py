"""A proofing that rests on a wallet PID re-reads the PID's status list while the level is
used (`idp.assurance.wallet_proofing.lapse`, and a wallet sign-in's session: `session_lapse`).
That list is relied on only when the PID's own issuer signed it, as at presentation
(`vp_response._same_issuer`). Before: the re-check verified the list with its own `x5c`
chain, so a list any trusted PID provider signed, served at the PID's status address, was
taken: another provider could revoke a PID it did not issue, or say "valid" (kept for the
list's `ttl`) over the issuer's own list that revoked it."""
# ruff: noqa: F811 - fixtures imported from test_proofing are parameters here

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from idp.assurance.models import ProofingEvidence
from infra.db import get_db
from tests.idp.wallet.pid import STATUS_URI, status_list_token
from tests.idp.wallet.test_lapsed_pid_proofing import INDEX, _proofing, _proven, _sign_in_level
from tests.idp.wallet.test_proofing import citizen, foreign_issuer, pid_issuer  # noqa: F401


def _serve(docs_app, token_of):
    """Cédula's status fetcher answers `token_of()` at the PID's status address."""
    from idp.wallet import get_wallet

    def fetch(uri):
        assert uri == STATUS_URI
        return token_of()

    get_wallet(docs_app).fetch_status = fetch


def _signed_by(issuer, owner, *, revoked):
    """A status list for the PID's address, signed by `issuer` (`owner`: the PID's issuer,
    whose list it imitates)."""
    return status_list_token(owner, uri=STATUS_URI, invalid=[INDEX] if revoked else [],
                             signer=(issuer.certificate, issuer.key))


def _detail(app, citizen_id):
    with get_db(app).read() as db:
        return json.loads(db.scalars(sa.select(ProofingEvidence.detail).where(
            ProofingEvidence.citizen_id == uuid.UUID(citizen_id),
            ProofingEvidence.kind == "eudi_wallet")).one())


def test_another_providers_list_cannot_revoke_the_pid(
        web, docs_app, citizen, pid_issuer, foreign_issuer, holder):
    _proven(web, docs_app, citizen, pid_issuer, holder)
    _serve(docs_app, lambda: _signed_by(foreign_issuer, pid_issuer, revoked=True))
    assert _sign_in_level(docs_app, citizen) == "high"
    assert _proofing(docs_app, citizen.citizen_id) == ("high", "eudi_wallet")


def test_another_providers_valid_list_does_not_hide_the_issuers_revocation(
        web, docs_app, citizen, pid_issuer, foreign_issuer, holder):
    _proven(web, docs_app, citizen, pid_issuer, holder)
    pid_issuer.invalid.add(INDEX)  # the PID's issuer revoked it
    served = [_signed_by(foreign_issuer, pid_issuer, revoked=False)]  # but B's list is served
    _serve(docs_app, lambda: served[-1])
    assert _sign_in_level(docs_app, citizen) == "high"  # unreadable: kept, as any unreadable list
    served.append(pid_issuer.serve_status(STATUS_URI))  # the issuer's own list is reachable again
    # B's "valid" was not kept as a reading for the list's ttl: the issuer's list is read now.
    assert _sign_in_level(docs_app, citizen) == "low"
    assert _proofing(docs_app, citizen.citizen_id) == ("low", "self_asserted")


def test_the_issuers_own_list_is_honoured(web, docs_app, citizen, pid_issuer, foreign_issuer, holder):
    _proven(web, docs_app, citizen, pid_issuer, holder)
    assert set(_detail(docs_app, citizen.citizen_id)) == {"exp", "idx", "uri", "ik"}
    _serve(docs_app, lambda: _signed_by(pid_issuer, pid_issuer, revoked=True))
    assert _sign_in_level(docs_app, citizen) == "low"
    assert _proofing(docs_app, citizen.citizen_id) == ("low", "self_asserted")


def test_a_wallet_sessions_pid_is_bound_to_its_issuer_too(
        web, docs_app, citizen, pid_issuer, foreign_issuer, holder):
    """`session_lapse` (a wallet sign-in's session, read again at a refresh) reads the facts
    kept as the evidence's, with the PID's `iss`."""
    from idp.assurance.wallet_proofing import session_lapse

    _proven(web, docs_app, citizen, pid_issuer, holder)
    facts = json.dumps({**_detail(docs_app, citizen.citizen_id), "iss": "https://pid.example"})
    now = datetime.now(UTC)
    _serve(docs_app, lambda: _signed_by(foreign_issuer, pid_issuer, revoked=True))
    with docs_app.app_context():
        assert session_lapse(facts, now=now) is None
    _serve(docs_app, lambda: _signed_by(pid_issuer, pid_issuer, revoked=True))
    with docs_app.app_context():
        assert session_lapse(facts, now=now) == "revoked"


def test_evidence_kept_without_the_issuer_is_not_read_again(
        web, docs_app, citizen, pid_issuer, foreign_issuer, holder):
    """Evidence written before the issuer was kept: no list can be tied to the PID's issuer,
    so none is relied on (unreadable: the level stays; the PID's expiry still ends it)."""
    _proven(web, docs_app, citizen, pid_issuer, holder)
    with get_db(docs_app).transaction() as db:
        evidence = db.scalars(sa.select(ProofingEvidence).where(
            ProofingEvidence.citizen_id == uuid.UUID(citizen.citizen_id),
            ProofingEvidence.kind == "eudi_wallet")).one()
        evidence.detail = json.dumps({k: v for k, v in json.loads(evidence.detail).items() if k != "ik"})
    _serve(docs_app, lambda: _signed_by(foreign_issuer, pid_issuer, revoked=True))
    assert _sign_in_level(docs_app, citizen) == "high"
    assert _proofing(docs_app, citizen.citizen_id) == ("high", "eudi_wallet")
