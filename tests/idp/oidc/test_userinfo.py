"""UserInfo (idp.oidc.userinfo): each answer's log entry is committed, through the group commit,
before the answer; no entry, no data; the request is counted under its agency in /metrics."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.idp.oidc.conftest import bearer, tokens_for


def _userinfo_entries(app) -> int:
    from idp.audit.models import AuditEntry
    from infra.db import get_db

    with get_db(app).read() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                              .where(AuditEntry.event == "release.userinfo"))


def test_each_answer_is_in_the_log_when_it_is_given(client, citizen, register, oidc_app):
    agency = register()
    headers = bearer(tokens_for(client, agency)["access_token"])
    for expected in (1, 2, 3):
        assert client.get("/userinfo", headers=headers).status_code == 200
        assert _userinfo_entries(oidc_app) == expected


def test_no_log_entry_no_data(client, citizen, register, oidc_app, monkeypatch):
    from infra.group_commit import get_group_commit

    agency = register()
    headers = bearer(tokens_for(client, agency)["access_token"])

    def refused(*_args, **_kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(get_group_commit(oidc_app), "commit", refused)
    response = client.get("/userinfo", headers=headers)
    assert response.status_code == 503
    assert b"given_name" not in response.data
    assert _userinfo_entries(oidc_app) == 0


def test_userinfo_requests_are_labelled_with_their_agency(client, citizen, register, oidc_app):
    from infra.ops.metrics import TOKEN, current_app_setting

    if not current_app_setting(oidc_app):
        pytest.skip("metrics are off in this configuration")
    agency = register()
    headers = bearer(tokens_for(client, agency)["access_token"])
    assert client.get("/userinfo", headers=headers).status_code == 200
    body = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN.of(oidc_app)}"}).get_data(as_text=True)
    assert re.search(r'^cedula_http_requests_total\{agency="' + re.escape(agency.client_id)
                     + r'",endpoint="oidc_api.userinfo_endpoint",method="GET",status="200"\}', body, re.M), body


def test_a_changed_citizen_record_is_in_the_very_next_answer(client, citizen, register, oidc_app):
    """What a worker worked out for a token's answers (`TokenState.derived`) goes with the rows it
    came from: a committed change to the citizen is in the next answer."""
    from idp.citizens.models import Citizen
    from infra.db import get_db

    agency = register()
    headers = bearer(tokens_for(client, agency)["access_token"])
    first = client.get("/userinfo", headers=headers).get_json()
    assert client.get("/userinfo", headers=headers).get_json() == first  # from what this worker keeps
    with get_db(oidc_app).transaction() as session:
        session.execute(sa.update(Citizen).values(email="nueva@example.sv"))
    answer = client.get("/userinfo", headers=headers).get_json()
    assert answer["email"] == "nueva@example.sv" and answer["sub"] == first["sub"]
    assert {name: value for name, value in answer.items() if name != "email"} == {
        name: value for name, value in first.items() if name != "email"}


def test_a_browser_client_can_read_its_refusals_as_it_reads_its_answers(client, register, citizen):
    """An answer carries Access-Control-Allow-Origin: so must the 401s, or a single-page
    client sees an opaque network error instead of the challenge (and the DPoP nonce)."""
    from tests.support.dpop import DpopKey

    agency = register()
    token = tokens_for(client, agency)["access_token"]
    origin = {"Origin": "https://portal.example.gov"}
    assert client.get("/userinfo", headers={**origin, **bearer(token)}).headers["Access-Control-Allow-Origin"] == "*"
    for headers in ({}, bearer(token[:-4] + "AAAA"), bearer("not-a-token")):
        refused = client.get("/userinfo", headers={**origin, **headers})
        assert refused.status_code == 401
        assert refused.headers["Access-Control-Allow-Origin"] == "*"
        assert "WWW-Authenticate" in refused.headers["Access-Control-Expose-Headers"]
    # A DPoP proof without the server's nonce: the nonce to use is readable by the page.
    key = DpopKey()
    proof = key.proof("GET", "http://localhost/userinfo", access_token=token)
    asked = client.get("/userinfo", headers={**origin, "Authorization": f"DPoP {token}", "DPoP": proof})
    assert asked.get_json()["error"] == "use_dpop_nonce"
    assert asked.headers["Access-Control-Allow-Origin"] == "*"
    assert "DPoP-Nonce" in asked.headers["Access-Control-Expose-Headers"] and asked.headers["DPoP-Nonce"]


def test_a_browser_client_may_send_its_token_after_the_preflight(client, register, citizen):
    """The Authorization (and DPoP) header makes every cross-origin UserInfo request preflighted:
    the preflight must allow them, or the answer's Access-Control-Allow-Origin is never read."""
    preflight = client.options("/userinfo", headers={
        "Origin": "https://portal.example.gov", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization, dpop"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    allowed = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "dpop"} <= allowed
    methods = {m.strip() for m in preflight.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    assert set(preflight.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST", "OPTIONS"}


def test_a_request_without_a_token_is_told_how_to_send_one(client):
    """RFC 6750 section 3.1: no error code in the challenge; the JSON says what to change."""
    refused = client.get("/userinfo")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith('Bearer realm="cedula"')
    assert "error=" not in refused.headers["WWW-Authenticate"]
    assert "Authorization header" in refused.get_json()["error_description"]


def test_each_answer_is_logged_at_its_own_second_with_a_mac_that_holds(client, citizen, register, oidc_app,
                                                                       monkeypatch):
    """The time of a second is built once and shared (issue 16): answers in the same second,
    the next one and back again are each logged at their own second, and every entry's MAC
    holds when the sealer checks it."""
    import time
    from datetime import UTC, datetime

    from idp import audit
    from idp.audit.models import AuditEntry
    from infra.db import get_db
    from tests.idp.audit.conftest import verify

    agency = register()
    headers = bearer(tokens_for(client, agency)["access_token"])
    start = int(time.time())
    seconds = [start, start, start + 1, start, start + 2]
    answered = iter(seconds)

    class Clock:
        @staticmethod
        def time() -> float:
            return next(answered) + 0.5

    monkeypatch.setattr("idp.oidc.endpoints.time", Clock)
    for _ in seconds:
        assert client.get("/userinfo", headers=headers).status_code == 200
    with oidc_app.app_context():
        audit.seal(get_db(oidc_app), log=audit.audit_log(oidc_app))
    with get_db(oidc_app).read() as session:
        rows = session.execute(sa.select(AuditEntry.at, AuditEntry.seq).where(AuditEntry.event == "release.userinfo")
                               .order_by(AuditEntry.id)).all()
    assert [row.at.replace(tzinfo=UTC) if row.at.tzinfo is None else row.at for row in rows] == [
        datetime.fromtimestamp(second, UTC) for second in seconds]
    assert all(row.seq is not None for row in rows)  # chained: each MAC matched its body
    assert verify(oidc_app).ok
