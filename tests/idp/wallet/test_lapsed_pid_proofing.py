"""A proofing raised by a PID from a wallet (level high) is worth what the PID is worth while
the level is used: once its issuer revokes it (its status list says so) or it expires, the
sign-in level, the proofing the account page and signing read, fall back to what the other
evidence gives, and the drop is recorded in the citizen's evidence and data-sharing log. The
status is read at most once per list `ttl`."""
# ruff: noqa: F811 - fixtures imported from test_proofing are parameters here

from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit

import sqlalchemy as sa

from idp.assurance.models import ProofingEvidence
from idp.assurance.services import assess, evidence_of
from infra.db import get_db
from tests.idp.assurance.conftest import proofing
from tests.idp.documents.test_revocation_and_log import _log
from tests.idp.wallet.test_proofing import _present, _request, _respond, citizen, pid_issuer  # noqa: F401

INDEX = 7


def _proven(web, docs_app, citizen, pid_issuer, holder):
    params = _request(web)
    response = _respond(web, params, _present(holder, pid_issuer, params, status_index=INDEX))
    assert response.status_code == 200, response.get_json()
    redirect = urlsplit(response.get_json()["redirect_uri"])
    assert 'data-status="raised"' in web.get(redirect.path + "?" + redirect.query).get_data(as_text=True)


def _proofing(app, citizen_id):
    with app.app_context():
        return proofing(app, citizen_id)


def _evidence(app, citizen_id):
    with get_db(app).read() as db:
        return [e.kind for e in evidence_of(db, uuid.UUID(citizen_id))]


def _sign_in_level(app, enrolled):
    """As a request reads it (the wallet's status list is the application's)."""
    with app.app_context(), get_db(app).read() as db:
        return assess(db, citizen_id=enrolled.citizen_id, credential_id=enrolled.key.credential_id,
                      amr=("hwk", "user", "mfa")).proofing


def test_a_revoked_pid_no_longer_proofs_the_account(web, docs_app, citizen, pid_issuer, holder):
    _proven(web, docs_app, citizen, pid_issuer, holder)
    pid_issuer.invalid.add(INDEX)  # the issuer revokes the PID
    assert _sign_in_level(docs_app, citizen) == "low"
    assert _proofing(docs_app, citizen.citizen_id) == ("low", "self_asserted")
    # A request that reads the level records the drop once it is answered.
    assert web.get("/account/assurance").status_code == 200
    assert _evidence(docs_app, citizen.citizen_id)[-2:] == ["eudi_wallet", "wallet_pid_revoked"]
    page = web.get("/account/assurance", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "in your digital wallet was revoked" in page and '"idx"' not in page
    assert [e for e in _log(docs_app, citizen.citizen_id) if e[0] == "wallet.identity_withdrawn"] == [
        ("wallet.identity_withdrawn", None, "revoked")]


def test_an_expired_pid_no_longer_proofs_the_account(web, docs_app, citizen, pid_issuer, holder):
    _proven(web, docs_app, citizen, pid_issuer, holder)
    with get_db(docs_app).transaction() as db:  # the PID's exp has passed
        evidence = db.scalars(sa.select(ProofingEvidence).where(
            ProofingEvidence.citizen_id == uuid.UUID(citizen.citizen_id),
            ProofingEvidence.kind == "eudi_wallet")).one()
        evidence.detail = json.dumps({**json.loads(evidence.detail), "exp": 1_000_000_000})
    assert _proofing(docs_app, citizen.citizen_id) == ("low", "self_asserted")
    assert _sign_in_level(docs_app, citizen) == "low"
    for _ in range(2):
        assert web.get("/account/assurance").status_code == 200
    assert _evidence(docs_app, citizen.citizen_id).count("wallet_pid_expired") == 1
    assert [e for e in _log(docs_app, citizen.citizen_id) if e[0] == "wallet.identity_withdrawn"] == [
        ("wallet.identity_withdrawn", None, "expired")]


def test_a_valid_pid_keeps_the_level_and_its_status_is_read_once_per_ttl(
        web, docs_app, citizen, pid_issuer, holder):
    _proven(web, docs_app, citizen, pid_issuer, holder)
    from idp.wallet import get_wallet

    wallet = get_wallet(docs_app)
    served = wallet.fetch_status
    fetched = []
    wallet.fetch_status = lambda uri: fetched.append(uri) or served(uri)
    for _ in range(3):
        assert _proofing(docs_app, citizen.citizen_id) == ("high", "eudi_wallet")
        assert _sign_in_level(docs_app, citizen) == "high"
    assert len(fetched) == 1


def test_a_level_kept_per_process_is_read_again_once_per_status_period(monkeypatch):
    """The level of a sign-in kept per process at /authorize is stamped with
    `metadata_revision`: no table changes when a status list starts saying revoked, so the
    stamp changes once per `MAX_STATUS_SECONDS`, and the kept level is read again."""
    from types import SimpleNamespace

    from idp.assurance import services
    from idp.assurance.wallet_proofing import MAX_STATUS_SECONDS

    stamps = []
    for moment in (10 * MAX_STATUS_SECONDS, 10 * MAX_STATUS_SECONDS + 1, 11 * MAX_STATUS_SECONDS):
        monkeypatch.setattr(services, "time", SimpleNamespace(time=lambda moment=moment: float(moment)))
        stamps.append(services.metadata_revision())
    assert stamps[0] == stamps[1] != stamps[2]
