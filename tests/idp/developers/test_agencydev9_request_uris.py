"""`request_uris` (OpenID Connect Registration 1.0 section 2: the `request_uri` values a portal
pre-registers so that the provider fetches its request objects from them) was accepted with
`201` and silently dropped. Cédula fetches no request object from a portal's server (discovery:
`request_uri_parameter_supported` is `false`; only the `urn:ietf:params:oauth:request_uri:` of
`/par` is taken), so a portal that registered its `request_uris` and then sends the browser with
one meets `request_uri_not_supported` at every sign-in, long after registration said yes. It is
now refused with `400 invalid_client_metadata` naming the member and what to do instead (push
the request to `/par`, or send the signed request object by value as `request`), on
`POST /register` and on `PUT /register/{client_id}`, as `initiate_login_uri` is
(test_agencydev8_initiate_login_uri.py). An empty list asks for nothing and is still taken."""

from __future__ import annotations

from tests.idp.developers.refusals import refused_naming

METADATA = {"client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"]}
REQUEST_URIS = {"request_uris": ["https://hacienda.example.gov/requests/sign-in.jwt"]}


def _refused_naming_the_member(answer) -> None:
    refused_naming(answer, "request_uris", "pushed_authorization_request_endpoint", "request_uri_parameter_supported")


def test_registration_with_request_uris_is_refused(client, initial):
    _refused_naming_the_member(client.post("/register", json={**METADATA, **REQUEST_URIS}, headers=initial))


def test_an_update_adding_request_uris_is_refused_and_changes_nothing(client, initial):
    created = client.post("/register", json=METADATA, headers=initial).get_json()
    bearer = {"Authorization": "Bearer " + created["registration_access_token"]}
    body = {**METADATA, **REQUEST_URIS, "client_id": created["client_id"]}
    if "client_secret" in created:
        body["client_secret"] = created["client_secret"]
    _refused_naming_the_member(client.put(f"/register/{created['client_id']}", json=body, headers=bearer))
    read = client.get(f"/register/{created['client_id']}", headers=bearer).get_json()
    assert "request_uris" not in read


def test_an_empty_list_asks_for_nothing_and_is_taken(client, initial):
    created = client.post("/register", json={**METADATA, "request_uris": []}, headers=initial)
    assert created.status_code == 201, created.get_json()


def test_discovery_says_no_request_uri_is_fetched(client):
    assert client.get("/.well-known/openid-configuration").get_json()["request_uri_parameter_supported"] is False


def test_the_guide_says_it_is_refused():
    from idp.developers.views import SOURCE

    assert "`request_uris` is refused" in SOURCE.read_text(encoding="utf-8")
