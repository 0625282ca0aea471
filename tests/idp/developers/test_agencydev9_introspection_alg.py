"""`introspection_signed_response_alg` (RFC 9701 section 6: the algorithm a client requires for
its signed introspection answers) was accepted with `201` and silently dropped, whatever it
named: a portal registering `RS256` (the default RFC 9701 gives, when left out) got `201`, then
introspection JWTs signed with `ES256`, which its verifier, set to the algorithm it registered,
refused. Discovery offers `introspection_signing_alg_values_supported: ["ES256"]` only. The
member is now checked as `authorization_signed_response_alg` is (JARM section 3): another
algorithm is refused with `400 invalid_client_metadata` naming it and saying to use ES256, on
`POST /register` and on `PUT /register/{client_id}`; `ES256` is kept and returned in the client
information (RFC 7591 section 3.2.1), and the signed answers are signed with it."""

from __future__ import annotations

import pytest

from tests.idp.developers.refusals import refused_naming
from tests.idp.oidc.conftest import (  # noqa: F401 - the fixtures
    citizen,
    header_of,
    oidc_app,
    register,
    tokens_for,
)

METADATA = {"client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"]}


def _refused_naming_the_member(answer) -> None:
    refused_naming(answer, "introspection_signed_response_alg", "ES256")


@pytest.mark.parametrize("alg", ["RS256", "HS256", "none", 256])
def test_an_algorithm_cedula_does_not_sign_with_is_refused(client, initial, alg):
    _refused_naming_the_member(client.post("/register", json={**METADATA, "introspection_signed_response_alg": alg},
                                           headers=initial))


def test_an_update_asking_for_rs256_is_refused_and_changes_nothing(client, initial):
    created = client.post("/register", json=METADATA, headers=initial).get_json()
    bearer = {"Authorization": "Bearer " + created["registration_access_token"]}
    body = {**METADATA, "introspection_signed_response_alg": "RS256", "client_id": created["client_id"],
            "client_secret": created["client_secret"]}
    _refused_naming_the_member(client.put(f"/register/{created['client_id']}", json=body, headers=bearer))
    read = client.get(f"/register/{created['client_id']}", headers=bearer).get_json()
    assert "introspection_signed_response_alg" not in read


def test_es256_is_kept_and_returned(client, initial):
    created = client.post("/register", json={**METADATA, "introspection_signed_response_alg": "ES256"},
                          headers=initial)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["introspection_signed_response_alg"] == "ES256"
    bearer = {"Authorization": "Bearer " + created.get_json()["registration_access_token"]}
    read = client.get(f"/register/{created.get_json()['client_id']}", headers=bearer).get_json()
    assert read["introspection_signed_response_alg"] == "ES256"


def test_the_signed_answer_is_signed_with_the_registered_algorithm(client, register, citizen):  # noqa: F811
    agency = register(introspection_signed_response_alg="ES256")
    assert agency.metadata["introspection_signed_response_alg"] == "ES256"
    token = tokens_for(client, agency)["access_token"]
    form, headers = agency.auth({"token": token})
    headers["Accept"] = "application/token-introspection+jwt"
    answer = client.post("/introspect", data=form, headers=headers)
    assert answer.mimetype == "application/token-introspection+jwt"
    assert header_of(answer.get_data(as_text=True))["alg"] == "ES256"


def test_the_guide_says_which_algorithm():
    from idp.developers.views import SOURCE

    assert "`introspection_signed_response_alg` are `ES256` or left out" in SOURCE.read_text(encoding="utf-8")
