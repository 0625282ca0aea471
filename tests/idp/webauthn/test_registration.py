"""Registration over HTTP: enrolment and adding passkeys, and every way to get it wrong."""

from __future__ import annotations

import time

import pytest

from idp.citizens.models import Citizen, Passkey
from infra.db import get_db
from infra.store import get_store
from tests.idp.conftest import another_citizen, dui, enrol, fields, post_json, registration_options
from tests.support.authenticator import SoftwareAuthenticator, b64url


def verify(client, response):
    return post_json(client, "/webauthn/registration/verify", response)


def error_of(response) -> str:
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data())
    body = response.get_json()
    assert body["error_description"]
    return body["error"]


def count(app, model) -> int:
    with get_db(app).read() as db:
        return db.query(model).count()


def test_creation_options_require_a_discoverable_uv_passkey(client):
    options = registration_options(client)
    assert options["rp"] == {"id": "localhost", "name": "Cédula"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["attestation"] == "none"
    assert [p["alg"] for p in options["pubKeyCredParams"]] == [-7, -8, -257]
    assert options["excludeCredentials"] == []
    assert options["user"]["name"] == "ana@example.sv"
    assert options["user"]["displayName"] == "Ana María López Pérez"
    assert len(options["challenge"]) == 43  # 32 bytes, base64url


@pytest.mark.parametrize("attestation", ["none", "packed"])
def test_enrolment_creates_citizen_passkey_and_session(client, attestation):
    key = SoftwareAuthenticator(attestation=attestation, backup_eligible=True, backed_up=True)
    enrolled = enrol(client, key, national_id=" 048926135 ")
    assert enrolled.national_id == "04892613-5"
    with get_db(client.application).read() as db:
        citizen = db.query(Citizen).one()
        assert citizen.national_id == "04892613-5"
        assert citizen.national_id_scheme == "sv-dui"
        passkey = db.query(Passkey).one()
        assert passkey.credential_id == key.credential_id
        assert passkey.attestation_format == attestation
        assert passkey.backup_eligible and passkey.backed_up
        assert passkey.transports == ["internal"]
    assert len(enrolled.codes) == 10
    assert client.get("/account").status_code == 200


def test_passkey_without_user_verification_is_refused(client):
    options = registration_options(client)
    response = verify(client, SoftwareAuthenticator(user_verified=False).register(options))
    assert error_of(response) == "user_verification_required"
    assert count(client.application, Citizen) == 0


def test_passkey_without_user_presence_is_refused(client):
    options = registration_options(client)
    response = verify(client, SoftwareAuthenticator(user_present=False).register(options))
    assert error_of(response) == "user_presence_required"


def test_wrong_origin_is_refused(client):
    options = registration_options(client)
    response = verify(client, SoftwareAuthenticator(origin="https://evil.example").register(options))
    assert error_of(response) == "invalid_origin"
    assert count(client.application, Citizen) == 0


def test_wrong_rp_id_is_refused(client):
    options = registration_options(client)
    response = verify(client, SoftwareAuthenticator().register(options, rp_id="evil.example"))
    assert error_of(response) == "invalid_rp_id"


def test_wrong_client_data_type_is_refused(client):
    options = registration_options(client)
    response = verify(client, SoftwareAuthenticator().register(options, kind="webauthn.get"))
    assert error_of(response) == "invalid_request"


def test_challenge_is_single_use(client):
    options = registration_options(client)
    key = SoftwareAuthenticator()
    first = key.register(options)
    assert verify(client, first).status_code == 200
    second = SoftwareAuthenticator().register(options)
    assert error_of(verify(client, second)) == "invalid_challenge"


def test_unknown_challenge_is_refused(client):
    registration_options(client)
    response = SoftwareAuthenticator().register(registration_options(client, fields(national_id=dui(1))),
                                                challenge="A" * 43)
    assert error_of(verify(client, response)) == "invalid_challenge"


def test_sign_in_challenge_cannot_register(client):
    options = registration_options(client)
    sign_in = post_json(client, "/webauthn/authentication/options", {}).get_json()
    response = SoftwareAuthenticator().register(options, challenge=sign_in["challenge"])
    assert error_of(verify(client, response)) == "invalid_challenge"


def test_challenge_expires_after_five_minutes(client, monkeypatch):
    options = registration_options(client)
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)
    assert error_of(verify(client, SoftwareAuthenticator().register(options))) == "challenge_expired"


def test_unsupported_algorithm_is_refused(app, backend, tmp_path):
    from idp import create_app
    from tests.conftest import empty_store, empty_tables, settings_for

    only_eddsa = create_app(settings_for(backend, tmp_path, webauthn={"algorithms": [-8]}))
    try:
        empty_tables(only_eddsa)
        empty_store(only_eddsa)
        client = only_eddsa.test_client()
        options = registration_options(client)
        assert error_of(verify(client, SoftwareAuthenticator().register(options))) == "unsupported_algorithm"
    finally:
        get_db(only_eddsa).dispose()
        get_store(only_eddsa).close()


def test_second_enrolment_with_same_national_id_is_refused_generically(client):
    enrol(client)
    client.post("/logout")  # no CSRF: ignored; use a fresh browser instead
    other = client.application.test_client()
    response = post_json(other, "/webauthn/registration/options",
                         fields(national_id="04892613 5", email="otra@example.sv"))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "enrolment_refused"
    assert "sign in or use a recovery code" in post_json(
        other, "/webauthn/registration/options", fields(), headers={"Accept-Language": "en"}
    ).get_json()["error_description"]


def test_national_id_enrolled_meanwhile_is_refused_at_verify(client):
    first = registration_options(client)
    second = registration_options(client.application.test_client())
    assert verify(client, SoftwareAuthenticator().register(first)).status_code == 200
    other = client.application.test_client()
    assert error_of(verify(other, SoftwareAuthenticator().register(second))) == "enrolment_refused"
    assert count(client.application, Citizen) == 1
    assert count(client.application, Passkey) == 1


def test_invalid_fields_are_named(client):
    response = post_json(client, "/webauthn/registration/options",
                         fields(national_id="04892613-4", email="not-an-email", birthdate=17))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_field"
    assert body["field"] == "birthdate"
    assert set(body["fields"]) == {"birthdate", "national_id", "email"}


@pytest.mark.parametrize("body", [
    b"{not json", b"[]", b'"text"', b"null",
])
def test_malformed_json_is_a_4xx(client, body):
    for path in ("/webauthn/registration/options", "/webauthn/registration/verify",
                 "/webauthn/authentication/verify"):
        response = post_json(client, path, body)
        assert response.status_code == 400, (path, body)
        assert response.get_json()["error"] == "invalid_request"


@pytest.mark.parametrize("mutate", [
    lambda r: r.update(type="password"),
    lambda r: r.update(id=123),
    lambda r: r.update(rawId="***"),
    lambda r: r.update(response="x"),
    lambda r: r["response"].update(clientDataJSON=5),
    lambda r: r["response"].update(attestationObject="!!"),
    lambda r: r["response"].update(attestationObject="AAAA"),
    lambda r: r["response"].update(transports="usb"),
    lambda r: r.update(rawId=r["rawId"][:-2]),
])
def test_wrong_types_and_shapes_are_a_4xx(client, mutate):
    response = SoftwareAuthenticator().register(registration_options(client))
    mutate(response)
    assert error_of(verify(client, response)) in {"invalid_request", "invalid_credential"}


def test_huge_body_is_refused(client):
    response = post_json(client, "/webauthn/registration/verify", {"x": "a" * 70000})
    assert response.status_code == 413
    assert response.get_json()["error"] == "request_too_large"


def test_not_json_media_type_is_refused(client):
    response = client.post("/webauthn/registration/options", data="a=b")
    assert response.status_code == 415
    assert response.get_json()["error"] == "unsupported_media_type"


def test_cross_site_origin_header_is_refused(client):
    response = post_json(client, "/webauthn/registration/options", fields(),
                         headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "invalid_origin"


def test_wrong_method_and_path_are_json(client):
    assert client.get("/webauthn/registration/options").get_json()["error"] == "method_not_allowed"
    assert client.post("/webauthn/nothing").get_json()["error"] == "not_found"


def test_adding_needs_a_session(client):
    response = post_json(client, "/webauthn/registration/options", {})
    assert response.status_code == 401
    assert response.get_json()["error"] == "login_required"


def test_adding_excludes_existing_credentials(client, enrolled):
    options = registration_options(client, {})
    assert [c["id"] for c in options["excludeCredentials"]] == [enrolled.key.credential_id_b64]
    assert options["user"]["id"] == b64url(enrolled.key.user_handle)
    second = SoftwareAuthenticator(aaguid=bytes.fromhex("ea9b8d664d011d213ce4b6b48cb575d4"),
                                   backup_eligible=True)
    response = verify(client, second.register(options))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["name"] == "Google Password Manager"
    assert count(client.application, Passkey) == 2
    # The same user handle as the first passkey: one account.
    assert second.user_handle == enrolled.key.user_handle


def test_registering_a_known_credential_again_is_refused(client, enrolled):
    options = registration_options(client, {})
    response = verify(client, enrolled.key.register(options))
    assert error_of(response) == "credential_exists"
    assert response.status_code == 409


def test_add_challenge_is_bound_to_the_citizen(client, enrolled):
    options = registration_options(client, {})
    stranger, _ = another_citizen(client.application)
    response = verify(stranger, SoftwareAuthenticator().register(options))
    assert error_of(response) == "forbidden"
