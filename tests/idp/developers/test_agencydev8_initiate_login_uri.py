"""`initiate_login_uri` (OpenID Connect Registration 1.0 section 2, for third-party-initiated
login, Core 1.0 section 4) was accepted with `201` and silently dropped: a portal registering it
expects Cédula to start sign-ins at it (say from a list of services), which Cédula never does.
It is now refused with `400 invalid_client_metadata` naming the member and saying what to do
instead, on `POST /register` and on `PUT /register/{client_id}`, as
`frontchannel_logout_uri` is (test_agencydev7_unoffered_features.py)."""

from __future__ import annotations

from tests.idp.developers.refusals import refused_naming

METADATA = {"client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"]}
INITIATE = {"initiate_login_uri": "https://hacienda.example.gov/login"}


def _refused_naming_the_member(answer) -> None:
    refused_naming(answer, "initiate_login_uri", "authorization endpoint")


def test_registration_with_initiate_login_uri_is_refused(client, initial):
    _refused_naming_the_member(client.post("/register", json={**METADATA, **INITIATE}, headers=initial))


def test_an_update_adding_initiate_login_uri_is_refused_and_changes_nothing(client, initial):
    created = client.post("/register", json=METADATA, headers=initial).get_json()
    bearer = {"Authorization": "Bearer " + created["registration_access_token"]}
    body = {**METADATA, **INITIATE, "client_id": created["client_id"]}
    if "client_secret" in created:
        body["client_secret"] = created["client_secret"]
    _refused_naming_the_member(client.put(f"/register/{created['client_id']}", json=body, headers=bearer))
    read = client.get(f"/register/{created['client_id']}", headers=bearer).get_json()
    assert "initiate_login_uri" not in read


def test_the_guide_says_it_is_refused():
    from idp.developers.views import SOURCE

    assert "`initiate_login_uri` is refused" in SOURCE.read_text(encoding="utf-8")
