"""The interaction behind /authorize: kept in the store only while the citizen is sent somewhere
and back, and answered once."""

from __future__ import annotations

import re

import pytest

from idp.oidc import interactions
from idp.oidc.interactions import Interaction
from idp.oidc.request import AuthorizationRequest
from infra.store import get_store
from tests.idp.conftest import csrf, sign_in
from tests.idp.oidc.conftest import Flow, authorize_url, decide, exchange, get_code, redirect_params


@pytest.fixture
def interaction_writes(oidc_app, monkeypatch) -> list[str]:
    """The ids of the interactions the store is asked to keep."""
    store = get_store(oidc_app)
    kept: list[str] = []
    original = store.set

    def recording(key: str, value: bytes, ttl: float) -> None:
        if key.startswith(interactions.PREFIX):
            kept.append(key.removeprefix(interactions.PREFIX))
        original(key, value, ttl)

    monkeypatch.setattr(store, "set", recording)
    return kept


def _continue_path(location: str) -> str:
    match = re.fullmatch(r"/login\?next=(/authorize/continue%3Finteraction%3D[\w-]+)", location)
    assert match, location
    return match.group(1).replace("%3F", "?").replace("%3D", "=")


def test_a_code_at_once_keeps_no_interaction(client, register, citizen, interaction_writes):
    agency = register()
    get_code(client, agency)  # the decision page: its interaction is kept, then answered
    assert len(interaction_writes) == 1
    flow = Flow()
    result = redirect_params(client.get(authorize_url(agency, flow)), agency)
    assert len(interaction_writes) == 1  # answered at once: nothing kept for it
    assert exchange(client, agency, result["code"], flow).status_code == 200


def test_an_error_at_once_keeps_no_interaction(client, register, citizen, interaction_writes):
    agency = register()
    result = redirect_params(client.get(authorize_url(agency, Flow(state="s1"), prompt="none")), agency)
    assert result["error"] == "consent_required" and result["state"] == "s1"
    assert interaction_writes == []


def test_sign_in_keeps_the_interaction_and_the_code_answers_it_once(client, register, citizen,
                                                                      interaction_writes):
    agency = register()
    get_code(client, agency)  # consent given
    client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    flow = Flow()
    sent = client.get(authorize_url(agency, flow))
    assert sent.status_code == 302
    back = _continue_path(sent.headers["Location"])
    assert back.endswith("=" + interaction_writes[-1])  # kept for the way back
    assert sign_in(client, citizen.key).status_code == 200
    result = redirect_params(client.get(back), agency)  # consent stands: a code at once
    assert exchange(client, agency, result["code"], flow).status_code == 200
    again = client.get(back)  # the interaction was taken with the code
    assert again.status_code == 400 and "code=" not in again.headers.get("Location", "")


def test_the_decision_page_answers_once(client, register, citizen):
    agency = register()
    page = client.get(authorize_url(agency, Flow()))
    assert redirect_params(decide(client, page), agency)["code"]
    assert decide(client, page).status_code == 400  # the same page answered again


def test_an_interaction_survives_the_store_unchanged():
    request = AuthorizationRequest(client_id="c", redirect_uri="https://a.example/cb", state="s",
                                   scopes=["openid", "profile"], code_challenge="x" * 43, nonce="n",
                                   prompt=["login"], max_age=60, acr_values=["urn:acr:high"],
                                   claims={"id_token": {"acr": {"essential": True, "values": ["urn:acr:high"]}}},
                                   resources=["https://api.example/"], response_mode="query.jwt")
    interaction = Interaction(id="i", request=request, login_after=1.5, account_chosen=True, shown_to="sid",
                              step_up="high")
    assert Interaction.from_json(interaction.to_json()) == interaction
