"""prompt=login and max_age re-authenticate without ending the SSO session (no agency is
logged out); enrolment from an agency's sign-in goes back to it."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from idp.sessions import records, session_policy
from infra.store import get_store
from tests.idp.conftest import dui, enrol, sign_in
from tests.idp.oidc.conftest import Flow, authorize_url, claims_of, exchange, redirect_params, tokens_for
from tests.support.authenticator import SoftwareAuthenticator


def the_session(client):
    app = client.application
    token = client.get_cookie("cedula_session").value
    import time

    return token, records.load(get_store(app), session_policy(app), token,
                               time.time())


@pytest.fixture
def agencies(register, receiver):
    return register(backchannel_logout_uri=receiver.uri("a"))


@pytest.mark.parametrize("params", [{"prompt": "login"}, {"max_age": "0"}])
def test_reauthentication_keeps_the_session_and_its_agencies(client, citizen, agencies, receiver,
                                                            worker, params):
    first = claims_of(tokens_for(client, agencies)["id_token"])
    old_token, before = the_session(client)
    flow = Flow()
    response = client.get(authorize_url(agencies, flow, **params))
    location = response.headers["Location"]
    assert response.status_code == 302 and location.startswith("/login?next=") and location.endswith("&reauth=1")
    assert client.get("/account").status_code == 200  # still signed in
    login = client.get(location)
    assert login.status_code == 200 and 'data-reauth="true"' in login.get_data(as_text=True)
    assert client.get("/login?next=/account").status_code == 303  # without reauth: straight through

    assert sign_in(client, citizen.key).status_code == 200
    new_token, after = the_session(client)
    assert after.sid == before.sid and new_token != old_token
    assert after.auth_time > before.auth_time
    assert the_session_by_token(client, old_token) is None  # the old cookie no longer works

    continue_path = unquote(location.split("next=")[1].rsplit("&reauth=1", 1)[0])
    result = redirect_params(client.get(continue_path), agencies)
    body = exchange(client, agencies, result["code"], flow).get_json()
    claims = claims_of(body["id_token"])
    assert claims["sid"] == first["sid"]
    assert claims["auth_time"] >= int(after.auth_time)
    assert worker.run_once() == {}  # no agency was logged out
    assert receiver.received == []


def the_session_by_token(client, token):
    import time

    app = client.application
    return records.load(get_store(app), session_policy(app), token,
                        time.time())


def test_another_citizen_at_reauthentication_keeps_the_session_and_its_agencies(client, citizen, agencies,
                                                                               receiver, worker):
    """Another citizen's passkey at a re-authentication is refused (409 account_mismatch):
    the session is not replaced, so no agency of the signed-in citizen is logged out."""
    tokens_for(client, agencies)
    _, before = the_session(client)
    client.get(authorize_url(agencies, Flow(), prompt="login"))
    other = SoftwareAuthenticator()
    enrol(client.application.test_client(), other, national_id=dui(22222222), email="b@example.sv")
    refused = sign_in(client, other)
    assert refused.status_code == 409 and refused.get_json()["error"] == "account_mismatch"
    _, after = the_session(client)
    assert after.sid == before.sid and after.citizen_id == before.citizen_id
    assert worker.run_once() == {}
    assert receiver.received == []


def test_enrolment_from_an_agency_sign_in_carries_next_to_the_recovery_codes(client):
    target = "/authorize/continue?interaction=abc"
    login = client.get("/login?next=" + target.replace("?", "%3F").replace("=", "%3D")).get_data(as_text=True)
    link = re.search(r'id="enrol-link" href="([^"]+)"', login).group(1)
    assert unquote(link.replace("&amp;", "&")) == "/enrol?next=" + target
    form = client.get("/enrol?next=" + target.replace("?", "%3F").replace("=", "%3D")).get_data(as_text=True)
    assert f'data-next="{target}"' in form
    enrol(client)
    html = client.get("/account/recovery-codes?next=" + target.replace("?", "%3F").replace("=", "%3D"))
    assert f'id="continue" class="button button-primary" href="{target}"' in html.get_data(as_text=True)


@pytest.mark.parametrize("unsafe", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_an_unsafe_next_after_enrolment_goes_to_the_account(client, citizen, unsafe):
    html = client.get("/account/recovery-codes", query_string={"next": unsafe}).get_data(as_text=True)
    assert 'id="continue" class="button button-primary" href="/account"' in html
