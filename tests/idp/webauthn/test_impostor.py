"""An impostor's assertions and registrations: client data a browser never sends, another
citizen's credential ID, another origin or RP ID."""

from __future__ import annotations

import hashlib
import json

import pytest

from idp.citizens.models import Citizen, Passkey
from infra.db import get_db
from tests.idp.conftest import dui, fields, post_json, registration_options, sign_in_options
from tests.support.authenticator import SoftwareAuthenticator, b64url


def fresh(client):
    return client.application.test_client()


def _assertion_with(key: SoftwareAuthenticator, options: dict, **client_data: object) -> dict:
    """A correctly signed assertion whose clientDataJSON carries `client_data` members."""
    response = key.authenticate(options)
    data = {"type": "webauthn.get", "challenge": options["challenge"], "origin": key.origin,
            **client_data}
    raw = json.dumps(data, separators=(",", ":")).encode()
    from tests.support.authenticator import from_b64url

    auth_data = from_b64url(response["response"]["authenticatorData"])
    response["response"]["clientDataJSON"] = b64url(raw)
    response["response"]["signature"] = b64url(key.sign(auth_data + hashlib.sha256(raw).digest()))
    return response


def _verify(client, body):
    return post_json(client, "/webauthn/authentication/verify", body)


def test_a_top_origin_without_a_cross_origin_frame_is_refused(client, enrolled):
    browser = fresh(client)
    body = _assertion_with(enrolled.key, sign_in_options(browser), crossOrigin=False,
                           topOrigin="https://evil.example")
    response = _verify(browser, body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "invalid_origin"


def test_a_cross_origin_that_is_not_a_boolean_is_refused(client, enrolled):
    browser = fresh(client)
    body = _assertion_with(enrolled.key, sign_in_options(browser), crossOrigin="true")
    response = _verify(browser, body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] in ("invalid_request", "invalid_origin")


def test_the_plain_assertion_with_the_same_helper_signs_in(client, enrolled):
    browser = fresh(client)
    body = _assertion_with(enrolled.key, sign_in_options(browser), crossOrigin=False)
    assert _verify(browser, body).status_code == 200


def test_enrolling_with_another_citizens_credential_id_creates_nothing(client, enrolled):
    impostor = SoftwareAuthenticator(credential_id=enrolled.key.credential_id)
    browser = fresh(client)
    options = registration_options(browser, fields(national_id=dui(1234567), email="x@example.sv"))
    response = post_json(browser, "/webauthn/registration/verify", impostor.register(options))
    assert response.status_code == 409, response.get_json()
    with get_db(client.application).read() as db:
        assert db.query(Citizen).count() == 1
        passkey = db.query(Passkey).one()
        assert passkey.public_key == enrolled.key.cose_public_key()
    assert browser.get("/account").status_code in (302, 303)


def test_a_registration_framed_by_another_site_is_refused(client):
    key = SoftwareAuthenticator()
    browser = fresh(client)
    options = registration_options(browser, fields())
    body = key.register(options)
    raw = json.dumps({"type": "webauthn.create", "challenge": options["challenge"],
                      "origin": key.origin, "crossOrigin": False,
                      "topOrigin": "https://evil.example"}, separators=(",", ":")).encode()
    body["response"]["clientDataJSON"] = b64url(raw)  # "none": nothing signs the client data
    response = post_json(browser, "/webauthn/registration/verify", body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "invalid_origin"
    with get_db(client.application).read() as db:
        assert db.query(Citizen).count() == 0


@pytest.mark.parametrize("origin", ["http://evil.localhost", "https://localhost", "http://localhost:8080",
                                    "http://localhost/", "http://LOCALHOST", "null"])
def test_an_origin_that_is_not_exactly_the_providers_is_refused(client, enrolled, origin):
    browser = fresh(client)
    body = _assertion_with(enrolled.key, sign_in_options(browser), crossOrigin=False)
    raw = json.dumps({"type": "webauthn.get", "challenge": sign_in_options(browser)["challenge"],
                      "origin": origin, "crossOrigin": False}, separators=(",", ":")).encode()
    from tests.support.authenticator import from_b64url

    auth_data = from_b64url(body["response"]["authenticatorData"])
    body["response"]["clientDataJSON"] = b64url(raw)
    body["response"]["signature"] = b64url(enrolled.key.sign(auth_data + hashlib.sha256(raw).digest()))
    response = _verify(browser, body)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_origin"


def test_a_sibling_domains_rp_id_hash_is_refused(client, enrolled):
    browser = fresh(client)
    body = enrolled.key.authenticate(sign_in_options(browser), rp_id="evil-localhost")
    response = _verify(browser, body)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_rp_id"
