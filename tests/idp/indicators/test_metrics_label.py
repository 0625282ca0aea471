"""/metrics counts requests by agency where the provider identified the agency, never by a
client_id someone merely sent."""

from __future__ import annotations

import base64
import re
import time

from tests.idp.documents.conftest import agency_token, register
from tests.signing.conftest import AGENCY


def _metrics(web) -> str:
    from infra.ops.metrics import TOKEN

    return web.get("/metrics", headers={"Authorization": f"Bearer {TOKEN.of(web.application)}"}).get_data(
        as_text=True)


def _token_requests(body: str, agency: str) -> float:
    """Token requests of `agency` (labels are written in name order: agency, endpoint, ...)."""
    return sum(float(v) for v in re.findall(
        r'^cedula_http_requests_total\{agency="' + re.escape(agency) + r'",endpoint="oidc_api.token"[^}]*\} (\S+)$',
        body, re.M))


def test_authenticated_agencies_label_their_requests(web, docs_app):
    agency = register(docs_app, client_id=AGENCY, scope="openid documents:issue")
    before = _token_requests(_metrics(web), AGENCY)
    agency_token(web, agency)
    agency_token(web, agency)
    forged = base64.b64encode(b"made-up-agency:wrong").decode()
    assert web.post("/token", data={"grant_type": "client_credentials"},
                    headers={"Authorization": f"Basic {forged}"}).status_code == 401
    body = _metrics(web)
    assert _token_requests(body, AGENCY) - before == 2
    assert 'agency="made-up-agency"' not in body
    assert re.search(r'^cedula_http_requests_total\{agency="",endpoint="oidc_api.token",method="POST",status="401"\}',
                     body, re.M)


def test_platform_gauges_for_the_alerts(web, docs_app):
    from datetime import UTC, datetime, timedelta

    from idp import audit
    from idp.indicators.collectors import expose
    from infra.db import get_db

    expose(docs_app)  # the process's collector reads the latest app's database: this one's
    # The ages are bounded by what the test's own clock saw pass, not by a fixed slack (a loaded
    # machine can take any time between writing the entries and reading the metrics).
    writing = time.time()
    with docs_app.app_context(), get_db(docs_app).transaction() as session:
        audit.append(session, event="account.closed", citizen_id="c-1", now=datetime.now(UTC) - timedelta(minutes=7))
        audit.append(session, event="account.closed", citizen_id="c-2", now=datetime.now(UTC))
    body = _metrics(web)
    passed = time.time() - writing
    assert re.search(r"^cedula_audit_pending_entries 2\.0$", body, re.M)
    assert "cedula_audit_checkpoint_age_seconds" in body
    waited = float(re.search(r"^cedula_audit_oldest_pending_seconds (\S+)$", body, re.M).group(1))
    assert 420 <= waited <= 420 + passed + 1  # CedulaAuditEntryNotSealed: past 300
    sealing = time.time()
    with docs_app.app_context(), get_db(docs_app).transaction() as session:
        audit.checkpoint(session)
    body = _metrics(web)
    passed = time.time() - sealing
    assert re.search(r"^cedula_audit_pending_entries 0\.0$", body, re.M)
    assert re.search(r"^cedula_audit_oldest_pending_seconds 0\.0$", body, re.M)
    age = float(re.search(r"^cedula_audit_checkpoint_age_seconds (\S+)$", body, re.M).group(1))
    assert 0 <= age <= passed + 1
