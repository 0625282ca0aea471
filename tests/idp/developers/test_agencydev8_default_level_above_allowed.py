"""`default_acr_values` (OpenID Connect Registration 1.0 section 2) naming a level above the
portal's permitted one (its `max_assurance_level`, else high on FAPI 2.0 and substantial off
it) was accepted with `201` and then every authorization that names no level was refused with
`invalid_request` ("may ask for level substantial at most"): the portal learnt of its mistake
from its citizens. It is now refused where it is made, with `400 invalid_client_metadata`
naming the member and the highest level allowed: at `POST /register`, at `PUT /register/{id}`
and by `cedula clients register --default-acr` (the provider's rule, installed at wiring
through `clients.registry.provider_rules`, as the registry cannot import the provider)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from idp.cli import cli

LOW = "http://eidas.europa.eu/LoA/low"
SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
HIGH = "http://eidas.europa.eu/LoA/high"
METADATA = {"client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"]}


def _refused_naming(answer, allowed: str) -> None:
    assert answer.status_code == 400, answer.get_json()
    body = answer.get_json()
    assert body["error"] == "invalid_client_metadata", body
    assert body["error_description"].startswith("default_acr_values: "), body
    assert f"may ask for: {allowed}" in body["error_description"], body


def test_a_default_above_substantial_is_refused_at_registration(client, initial):
    _refused_naming(client.post("/register", headers=initial, json={**METADATA, "default_acr_values": [HIGH]}),
                    "substantial")


def test_a_default_above_the_registered_max_level_is_refused_naming_it(client, initial):
    answer = client.post("/register", headers=initial, json={
        **METADATA, "max_assurance_level": "low", "default_acr_values": [SUBSTANTIAL]})
    _refused_naming(answer, "low")


def test_a_default_within_the_level_is_kept(client, initial):
    created = client.post("/register", headers=initial, json={
        **METADATA, "max_assurance_level": "low", "default_acr_values": [LOW]})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["default_acr_values"] == [LOW]


def test_an_update_raising_the_default_above_the_level_is_refused(client, initial):
    created = client.post("/register", headers=initial, json={**METADATA, "default_acr_values": [SUBSTANTIAL]})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    bearer = {"Authorization": "Bearer " + body["registration_access_token"]}
    update = {**METADATA, "client_id": body["client_id"], "default_acr_values": [HIGH]}
    if "client_secret" in body:
        update["client_secret"] = body["client_secret"]
    _refused_naming(client.put(f"/register/{body['client_id']}", json=update, headers=bearer), "substantial")
    read = client.get(f"/register/{body['client_id']}", headers=bearer).get_json()
    assert read["default_acr_values"] == [SUBSTANTIAL]


def test_the_cli_sets_a_default_level_and_refuses_one_above_the_max_level(tmp_path):
    env = {"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_LOGGING_LEVEL": "WARNING", "CEDULA_DATABASE_URL": "",
           "CEDULA_REDIS_URL": ""}

    def run(*args: str):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    assert run("db", "upgrade").exit_code == 0
    base = ("clients", "register", "--name", "Hacienda", "--redirect-uri", "https://hacienda.example.gov/cb")
    created = run(*base, "--default-acr", SUBSTANTIAL)
    assert created.exit_code == 0, created.output
    assert json.loads(created.output)["default_acr_values"] == [SUBSTANTIAL]
    refused = run(*base, "--max-level", "low", "--default-acr", SUBSTANTIAL)
    assert refused.exit_code != 0
    assert "default_acr_values" in refused.output and "may ask for: low" in refused.output, refused.output
