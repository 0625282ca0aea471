"""A release checked against a consent in force, whose log entry is committed after the citizen
withdrew that consent (the withdrawal committed between the check and the entry's commit; the
check often reads a state kept per process): the entry must not be committed and the data not
given. Deterministic: the withdrawal is committed from a hook right after the check. Runs on
both backends (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.idp.consent.conftest import log_of
from tests.idp.oidc.conftest import bearer, exchange, get_code, tokens_for

RELEASES = ("release.userinfo", "release.id_token")


def _withdraw(app, citizen_id: str, client_id: str) -> None:
    """The citizen withdraws the agency's access, in a transaction of its own (committed)."""
    from idp.consent import get_consents, services
    from infra.db import get_db

    consents = get_consents(app)
    with get_db(app).transaction() as session:
        services.revoke(session, policy=consents.policy, sign=consents.sign, grants=consents.grants,
                        citizen_id=citizen_id, client_id=client_id, language="es", now=datetime.now(UTC))


def _after(monkeypatch, module, name: str, then) -> list[int]:
    """Wrap `module.name` so that `then()` runs (once) right after it returns."""
    original = getattr(module, name)
    calls: list[int] = []

    def hooked(*args, **kwargs):
        result = original(*args, **kwargs)
        if not calls:
            calls.append(1)
            then()
        return result

    monkeypatch.setattr(module, name, hooked)
    return calls


def _releases_after_withdrawal(app, citizen_id: str) -> list:
    entries = log_of(app, citizen_id)
    (withdrawn,) = [i for i, e in enumerate(entries) if e.event == "consent.revoked"]
    return [e for e in entries[withdrawn:] if e.event in RELEASES]


@pytest.fixture
def connected(client, register, citizen):
    agency = register(client_name="Hacienda", purpose="Declaraciones")
    return client, agency, citizen.citizen_id


def test_userinfo_withdrawn_after_its_check_gives_nothing_and_logs_nothing(connected, monkeypatch):
    from idp.oidc import bearer as bearer_module

    client, agency, citizen_id = connected
    app = client.application
    body = tokens_for(client, agency)
    # One release before the withdrawal works (and keeps the token's state in this process).
    before = client.get("/userinfo", headers=bearer(body["access_token"]))
    assert before.status_code == 200, before.get_json()
    released = [e for e in log_of(app, citizen_id) if e.event == "release.userinfo"]
    assert len(released) == 1

    calls = _after(monkeypatch, bearer_module, "check", lambda: _withdraw(app, citizen_id, agency.client_id))
    after = client.get("/userinfo", headers=bearer(body["access_token"]))
    assert calls == [1]
    assert after.status_code == 401, after.get_data(as_text=True)
    assert "invalid_token" in after.headers.get("WWW-Authenticate", "")
    assert "email" not in after.get_data(as_text=True)
    assert _releases_after_withdrawal(app, citizen_id) == []
    assert len([e for e in log_of(app, citizen_id) if e.event == "release.userinfo"]) == 1


@pytest.mark.parametrize("path", ["decision_kept", "decision_read"])
def test_id_token_withdrawn_after_its_check_is_refused_and_logs_nothing(connected, monkeypatch, path):
    """With the citizen's decision kept per process and read from the database (in the
    request's transaction)."""
    from idp.oidc import services as oidc_services
    from idp.oidc.current import PROVIDER

    client, agency, citizen_id = connected
    app = client.application
    claims = json.dumps({"id_token": {"email": None}})
    # One release before the withdrawal works (and fills what the exchange keeps per process).
    first = tokens_for(client, agency, claims=claims)
    assert first["id_token"]
    logged = [e for e in log_of(app, citizen_id) if e.event == "release.id_token"]
    assert len(logged) == 1 and "email" in logged[0].claims

    code, flow = get_code(client, agency, claims=claims)
    if path == "decision_read":
        monkeypatch.setattr(PROVIDER.of(app).decisions, "get", lambda *_args: None)
    calls = _after(monkeypatch, oidc_services, "_check_standing",
                   lambda: _withdraw(app, citizen_id, agency.client_id))
    refused = exchange(client, agency, code, flow)
    assert calls == [1]
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "invalid_grant"
    assert "id_token" not in refused.get_json() and "access_token" not in refused.get_json()
    assert _releases_after_withdrawal(app, citizen_id) == []
    assert len([e for e in log_of(app, citizen_id) if e.event == "release.id_token"]) == 1
