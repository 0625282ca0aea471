"""Helpers for the identity provider's HTTP tests: enrol and sign in with a software key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.authenticator import SoftwareAuthenticator
from tests.support.national_ids import dui  # the tests import it from here too


def fields(**overrides: Any) -> dict[str, Any]:
    values = {"given_name": "Ana María", "family_name": "López Pérez", "birthdate": "1990-05-17",
              "national_id": dui(4892613), "email": "ana@example.sv"}
    values.update(overrides)
    return values


def post_json(client, path: str, body: Any, **kwargs):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", **kwargs)


def registration_options(client, body: dict | None = None) -> dict:
    response = post_json(client, "/webauthn/registration/options", body if body is not None else fields())
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def sign_in_options(client) -> dict:
    response = post_json(client, "/webauthn/authentication/options", {})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@dataclass
class Enrolled:
    key: SoftwareAuthenticator
    national_id: str
    citizen_id: str
    codes: list[str]


def enrol(client, key: SoftwareAuthenticator | None = None, **overrides: Any) -> Enrolled:
    """Enrol through the JSON API, then read the recovery codes page as a browser would."""
    key = key or SoftwareAuthenticator()
    body = fields(**overrides)
    options = registration_options(client, body)
    response = post_json(client, "/webauthn/registration/verify", key.register(options))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["redirect"] == "/account/recovery-codes"
    page = client.get("/account/recovery-codes").get_data(as_text=True)
    import re

    codes = re.findall(r"<li>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</li>", page)
    from idp.citizens.models import Passkey
    from infra.db import get_db

    with get_db(client.application).read() as db:
        citizen = db.query(Passkey).filter_by(credential_id=key.credential_id).one().citizen
        return Enrolled(key=key, national_id=citizen.national_id, citizen_id=str(citizen.id),
                        codes=codes)


def another_citizen(app) -> tuple[Any, Enrolled]:
    """A second citizen (not the one of `fields`), enrolled in a browser of their own."""
    browser = app.test_client()
    return browser, enrol(browser, national_id=dui(12345678), email="otro@example.sv")


def sign_in(client, key: SoftwareAuthenticator, **kwargs: Any):
    options = sign_in_options(client)
    return post_json(client, "/webauthn/authentication/verify", key.authenticate(options, **kwargs))


def csrf(client, page: str = "/login") -> str:
    import re

    html = client.get(page).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if match is None:  # a page without a form: take it from the enrolment page
        html = client.get("/enrol").get_data(as_text=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1)


@pytest.fixture
def enrolled(client) -> Enrolled:
    return enrol(client)


def session_cookie(client) -> str:
    from idp.sessions import cookie_name

    with client.application.test_request_context():
        name = cookie_name()
    cookie = client.get_cookie(name)
    assert cookie is not None, "not signed in"
    return cookie.value


def age_session(client, seconds: float) -> None:
    """Make the browser's session as if its last passkey check were `seconds` older."""
    import json
    import time

    from idp.sessions import records, session_policy
    from infra.store import get_store

    app = client.application
    store = get_store(app)
    key = records.RECORD + records.reference(session_policy(app), session_cookie(client))
    data = json.loads(store.get(key))
    data["auth_time"] -= seconds
    store.set(key, json.dumps(data).encode(), max(1.0, data["expires"] - time.time()))


def recheck(client, key: SoftwareAuthenticator, **kwargs: Any):
    """Confirm with a passkey that it is still the citizen (idp.account.reauth)."""
    options = post_json(client, "/account/reauth/options", {})
    assert options.status_code == 200, options.get_json()
    return post_json(client, "/account/reauth/verify",
                     key.authenticate(options.get_json(), **kwargs))


def recover(app, national_id: str, code: str):
    """A new browser that signs in with a recovery code (/recover) and lands on /account."""
    browser = app.test_client()
    done = browser.post("/recover", data={"csrf_token": csrf(browser, "/recover"),
                                          "national_id": national_id, "code": code})
    assert done.status_code == 303 and done.headers["Location"] == "/account"
    return browser
