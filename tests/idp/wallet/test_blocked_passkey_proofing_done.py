"""A PID handed over to a session whose passkey was marked suspect (a clone signal) after it
asked for the presentation is not applied: the proofing it would raise is the account's, which
every passkey inherits, and that session's check is none (`idp.account.reauth.refused_check`)."""
# ruff: noqa: F811 - fixtures imported from test_proofing are parameters here

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa

from idp.citizens.models import Passkey
from infra.db import get_db
from tests.idp.assurance.conftest import proofing
from tests.idp.wallet.test_proofing import _present, _request, _respond, citizen, pid_issuer  # noqa: F401


def test_a_pid_handed_to_a_session_with_a_suspect_passkey_raises_nothing(
        web, docs_app, citizen, pid_issuer, holder):
    params = _request(web)
    response = _respond(web, params, _present(holder, pid_issuer, params))
    assert response.status_code == 200, response.get_json()
    with get_db(docs_app).transaction() as db:
        db.execute(sa.update(Passkey).where(Passkey.citizen_id == uuid.UUID(citizen.citizen_id))
                   .values(suspect_since=datetime.now(UTC)))
    redirect = urlsplit(response.get_json()["redirect_uri"])
    done = web.get(redirect.path + "?" + redirect.query)
    assert 'data-status="raised"' not in done.get_data(as_text=True)
    assert proofing(docs_app, citizen.citizen_id)[0] == "low"
