"""Resource indicators (RFC 8707): a token asked for one agency's API has its `aud` and only
the scopes it accepts, and is refused by another agency's API and by /userinfo."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from idp.oidc.request import SCOPES
from tests.idp.oidc.conftest import Agency, bearer, claims_of, exchange, get_code, token_request

API_A = "https://api.hacienda.example.gov/declaraciones"
API_B = "https://api.registro.example.gov/partidas"
ISSUER = "http://localhost"  # the test applications' issuer


@pytest.fixture
def apis(oidc_app, register):
    """Two agencies' APIs, each introspecting as its own client; `portal` may ask for A only."""
    from idp.oidc import resources
    from infra.db import get_db

    portal = register(grant_types=["authorization_code", "refresh_token"], scope="openid profile email offline_access")
    owner_a, owner_b = register(client_name="API A"), register(client_name="API B")
    with get_db(oidc_app).transaction() as session:
        now = datetime.now(UTC)
        resources.register(session, identifier=API_A, name="Declaraciones", scopes=["openid", "profile"],
                           clients=[portal.client_id], owner=owner_a.client_id, now=now, offered=SCOPES, issuer=ISSUER)
        resources.register(session, identifier=API_B, name="Partidas", scopes=["profile"],
                           clients=[], owner=owner_b.client_id, now=now, offered=SCOPES, issuer=ISSUER)
    return portal, owner_a, owner_b


def introspect(client, agency: Agency, token: str) -> dict:
    form, headers = agency.auth({"token": token})
    return client.post("/introspect", data=form, headers=headers).get_json()


def test_a_token_for_api_a_is_refused_by_api_b_and_userinfo(client, apis, citizen):
    portal, owner_a, owner_b = apis
    code, flow = get_code(client, portal, scope="openid profile email offline_access")
    response = exchange(client, portal, code, flow, resource=API_A)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    access = claims_of(body["access_token"])
    assert access["aud"] == API_A and access["scope"] == "openid profile" and body["scope"] == "openid profile"
    seen = introspect(client, owner_a, body["access_token"])
    assert seen["active"] is True and seen["aud"] == API_A and seen["client_id"] == portal.client_id
    assert introspect(client, owner_b, body["access_token"]) == {"active": False}
    refused = client.get("/userinfo", headers=bearer(body["access_token"]))
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_token"
    # The refresh token still serves the whole grant: a token for the provider itself again.
    again = token_request(client, portal, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert claims_of(again.get_json()["access_token"])["aud"] == "http://localhost"


@pytest.mark.parametrize(("resource", "reason"), [
    (API_B, "may not get tokens"),
    ("https://unknown.example.gov/api", "not a resource registered"),
])
def test_resources_a_client_may_not_use_are_invalid_targets(client, apis, citizen, resource, reason):
    portal, _, _ = apis
    code, flow = get_code(client, portal)
    response = exchange(client, portal, code, flow, resource=resource)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_target"
    assert reason in response.get_json()["error_description"]


def test_a_refresh_can_ask_for_a_resource(client, apis, citizen):
    portal, _, _ = apis
    code, flow = get_code(client, portal, scope="openid email offline_access")
    body = exchange(client, portal, code, flow).get_json()
    refresh = body["refresh_token"]
    not_its = token_request(client, portal, {"grant_type": "refresh_token", "refresh_token": refresh,
                                             "resource": API_B})
    assert not_its.status_code == 400 and not_its.get_json()["error"] == "invalid_target"
    # Refused without spending the refresh token.
    ok = token_request(client, portal, {"grant_type": "refresh_token", "refresh_token": refresh, "resource": API_A})
    assert ok.status_code == 200 and claims_of(ok.get_json()["access_token"])["scope"] == "openid"


def test_registration_rules(oidc_app):
    from idp.oidc import resources
    from infra.db import get_db

    now = datetime.now(UTC)
    for identifier, scopes in [("http://api.example.gov/x", ["profile"]), ("https://api.example.gov/x#f", ["profile"]),
                               ("https://api.example.gov/x", ["admin"]), ("https://api.example.gov/x", [])]:
        with pytest.raises(resources.ResourceRegistrationError), get_db(oidc_app).transaction() as session:
            resources.register(session, identifier=identifier, name="x", scopes=scopes, clients=[], owner="c",
                               now=now, offered=SCOPES, issuer=ISSUER)


def test_cedula_resources_register_and_list(tmp_path):
    from idp.cli import cli

    env = {"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_LOGGING_LEVEL": "WARNING", "CEDULA_DATABASE_URL": "",
           "CEDULA_REDIS_URL": ""}

    def run(*args: str):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    assert run("db", "upgrade").exit_code == 0
    registered = run("clients", "register", "--name", "API de Hacienda", "--redirect-uri", "https://h.example.gov/cb")
    assert registered.exit_code == 0, registered.output
    import json

    owner = json.loads(registered.output[registered.output.index("{"):])["client_id"]
    result = run("resources", "register", API_A, "--name", "Declaraciones", "--scope", "openid", "--scope",
                 "profile", "--owner", owner)
    assert result.exit_code == 0, result.output
    assert run("resources", "list").output.split("\t")[0] == API_A
    unknown = run("resources", "register", API_B, "--name", "Partidas", "--scope", "profile", "--owner", "nobody")
    assert unknown.exit_code != 0 and "nobody" in unknown.output


def test_resources_named_at_authorize_bound_the_token_request(client, apis, citizen):
    from tests.idp.oidc.conftest import Flow, authorize_url, redirect_params

    portal, _, _ = apis
    refused = redirect_params(client.get(authorize_url(portal, Flow(), resource=API_B)), portal)
    assert refused["error"] == "invalid_target"
    unknown = redirect_params(client.get(authorize_url(portal, Flow(), resource="https://x.example/api#f")), portal)
    assert unknown["error"] == "invalid_target"

    code, flow = get_code(client, portal, resource=API_A)
    body = exchange(client, portal, code, flow).get_json()  # the one resource asked for: its token
    assert claims_of(body["access_token"])["aud"] == API_A
    code, flow = get_code(client, portal, resource=API_A)
    other = exchange(client, portal, code, flow, resource="http://localhost")
    assert other.status_code == 400 and other.get_json()["error"] == "invalid_target"


API_C = "https://api.hacienda.example.gov/pagos"


def _also_api_c(app, portal: Agency, owner: Agency) -> None:
    """A second API the portal may use, which the authorization requests below may leave out."""
    from idp.oidc import resources
    from infra.db import get_db

    with get_db(app).transaction() as session:
        resources.register(session, identifier=API_C, name="Pagos", scopes=["openid", "profile"],
                           clients=[portal.client_id], owner=owner.client_id, now=datetime.now(UTC),
                           offered=SCOPES, issuer=ISSUER)


def refresh_with(client, portal: Agency, refresh_token: str, **form: str):
    return token_request(client, portal, {"grant_type": "refresh_token", "refresh_token": refresh_token, **form})


def test_a_refresh_keeps_the_resource_named_at_authorization(client, oidc_app, apis, citizen):
    portal, owner_a, _ = apis
    _also_api_c(oidc_app, portal, owner_a)
    code, flow = get_code(client, portal, scope="openid profile offline_access", resource=API_A)
    body = exchange(client, portal, code, flow).get_json()
    assert claims_of(body["access_token"])["aud"] == API_A

    # Without resource: the same audience as the authorization's, not the provider's.
    again = refresh_with(client, portal, body["refresh_token"])
    assert again.status_code == 200, again.get_json()
    assert claims_of(again.get_json()["access_token"])["aud"] == API_A
    latest = again.get_json()["refresh_token"]
    # Another API the client may use, or the provider itself, was not in the grant.
    for other in (API_C, "http://localhost"):
        refused = refresh_with(client, portal, latest, resource=other)
        assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_target", other
        assert "not among the resources of the authorization request" in refused.get_json()["error_description"]
    # The refusals spent nothing: the same refresh token still works, with the grant's resource.
    named = refresh_with(client, portal, latest, resource=API_A)
    assert named.status_code == 200 and claims_of(named.get_json()["access_token"])["aud"] == API_A


def test_a_refresh_narrows_to_one_of_the_resources_named_at_authorization(client, oidc_app, apis, citizen):
    portal, owner_a, _ = apis
    _also_api_c(oidc_app, portal, owner_a)
    from urllib.parse import urlencode

    from tests.idp.oidc.conftest import Flow, authorize_url, decide, redirect_params

    flow = Flow()
    url = authorize_url(portal, flow, scope="openid profile offline_access", resource=API_A)
    code = redirect_params(decide(client, client.get(url + "&" + urlencode({"resource": API_C}))), portal)["code"]
    body = exchange(client, portal, code, flow, resource=API_A).get_json()
    assert claims_of(body["access_token"])["aud"] == API_A

    unnamed = refresh_with(client, portal, body["refresh_token"])
    assert unnamed.status_code == 400 and unnamed.get_json()["error"] == "invalid_target"
    assert "name one with resource" in unnamed.get_json()["error_description"]
    narrowed = refresh_with(client, portal, body["refresh_token"], resource=API_C, scope="openid")
    assert narrowed.status_code == 200, narrowed.get_json()
    access = claims_of(narrowed.get_json()["access_token"])
    assert access["aud"] == API_C and access["scope"] == "openid"
    refused = refresh_with(client, portal, narrowed.get_json()["refresh_token"], resource=API_B)
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_target"


def test_a_pushed_request_may_name_several_resources_as_authorize_does(client, oidc_app, apis, citizen):
    """RFC 8707 section 2: `resource` may repeat, at /authorize and in a pushed request (RFC 9126
    section 2.1) alike; /par refused the second one as a repeated parameter."""
    from urllib.parse import urlencode

    from tests.idp.oidc.conftest import Flow, decide, redirect_params
    from tests.idp.oidc.test_par import pushed_params

    portal, owner_a, _ = apis
    _also_api_c(oidc_app, portal, owner_a)
    flow = Flow()
    form, headers = portal.auth(pushed_params(portal, flow, scope="openid profile"))
    pushed = client.post("/par", data={**form, "resource": [API_A, API_C]}, headers=headers)
    assert pushed.status_code == 201, pushed.get_json()
    page = client.get("/authorize?" + urlencode({"client_id": portal.client_id,
                                                 "request_uri": pushed.get_json()["request_uri"]}))
    code = redirect_params(decide(client, page), portal)["code"]
    body = exchange(client, portal, code, flow, resource=API_C).get_json()
    assert claims_of(body["access_token"])["aud"] == API_C

    twice = client.post("/par", data={**form, "state": [flow.state, "other"]}, headers=headers)
    assert twice.status_code == 400 and twice.get_json()["error"] == "invalid_request"
    assert "state is given more than once" in twice.get_json()["error_description"]


def test_an_apis_owner_introspects_its_tokens_but_never_revokes_or_reads_the_clients_grant(client, apis, citizen):
    """RFC 7662 / RFC 7009: the API's owner may see an access token issued for its API, but it
    is not the token's client: it may neither revoke it nor learn about the refresh token."""
    portal, owner_a, owner_b = apis
    code, flow = get_code(client, portal, scope="openid profile email offline_access")
    body = exchange(client, portal, code, flow, resource=API_A).get_json()
    for owner in (owner_a, owner_b):
        form, headers = owner.auth({"token": body["access_token"]})
        assert client.post("/revoke", data=form, headers=headers).status_code == 200
        form, headers = owner.auth({"token": body["refresh_token"]})
        assert client.post("/revoke", data=form, headers=headers).status_code == 200
        assert introspect(client, owner, body["refresh_token"]) == {"active": False}
    assert introspect(client, owner_a, body["access_token"])["active"] is True
    assert introspect(client, portal, body["refresh_token"])["active"] is True


def test_an_apis_owner_sees_a_token_for_its_api_but_cannot_revoke_it(client, apis, citizen):
    """docs/agencies.md section 3: the owner introspects tokens for its API; revocation stays
    with the client the token was issued to (RFC 7009 section 2.1)."""
    portal, owner_a, _owner_b = apis
    code, flow = get_code(client, portal, scope="openid profile")
    token = exchange(client, portal, code, flow, resource=API_A).get_json()["access_token"]
    form, headers = owner_a.auth({"token": token})
    assert client.post("/revoke", data=form, headers=headers).status_code == 200
    assert introspect(client, owner_a, token)["active"] is True
    form, headers = portal.auth({"token": token})
    assert client.post("/revoke", data=form, headers=headers).status_code == 200
    assert introspect(client, owner_a, token) == {"active": False}


@pytest.mark.parametrize("identifier", ["http://localhost:8000", "http://localhost:8000/", "HTTP://LOCALHOST:8000",
                                        "http://localhost:8000/api/documents", "http://localhost:8000/userinfo"])
def test_cedula_resources_register_refuses_the_providers_own_identifier(tmp_path, identifier):
    """oidcatk11 follow-up: an API may not be named as the issuer (the audience of every citizen's
    token for the provider) or as one of the provider's own endpoints; the operator is told what
    to name instead, and nothing is written."""
    import json

    from idp.cli import cli

    env = {"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_LOGGING_LEVEL": "WARNING", "CEDULA_DATABASE_URL": "",
           "CEDULA_REDIS_URL": "", "CEDULA_ISSUER": "http://localhost:8000"}

    def run(*args: str):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    assert run("db", "upgrade").exit_code == 0
    registered = run("clients", "register", "--name", "API", "--redirect-uri", "https://h.example.gov/cb")
    owner = json.loads(registered.output[registered.output.index("{"):])["client_id"]
    refused = run("resources", "register", identifier, "--name", "x", "--scope", "openid", "--owner", owner)
    assert refused.exit_code != 0 and "the provider's own" in refused.output, refused.output
    assert run("resources", "list").output == ""
