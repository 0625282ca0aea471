"""acr_values (OIDC Core 1.0 section 3.1.2.1) and an essential acr claim (section 5.5.1.1) hold
until the code is issued, as max_age does (test_max_age_at_decision): a citizen whose level
fell while the consent page was open (the identity proofing reset, the passkey's model reported
compromised) is not answered with a code for a lower level than the agency asked for."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from idp.assurance.services import reset_proofing
from infra.db import get_db
from tests.idp.assurance.conftest import set_proofing
from tests.idp.oidc.conftest import Flow, authorize_url, claims_of, decide, exchange, redirect_params

SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"


def _page(client, agency, citizen, **params):
    set_proofing(client.application, citizen.citizen_id, "substantial")
    flow = Flow()
    page = client.get(authorize_url(agency, flow, **params))
    assert page.status_code == 200 and 'name="decision"' in page.get_data(as_text=True), page.headers
    return page, flow


def _lower(client, citizen) -> None:
    with get_db(client.application).transaction() as session:
        reset_proofing(session, citizen_id=uuid.UUID(citizen.citizen_id), reason="test", now=datetime.now(UTC))


@pytest.mark.parametrize("asked", [
    {"acr_values": SUBSTANTIAL},
    {"claims": json.dumps({"id_token": {"acr": {"essential": True, "value": SUBSTANTIAL}}})},
], ids=["acr_values", "essential_acr"])
def test_a_level_fallen_while_the_page_was_open_issues_no_code(client, register, citizen, asked):
    agency = register()
    page, _flow = _page(client, agency, citizen, **asked)
    _lower(client, citizen)
    location = decide(client, page).headers.get("Location", "")
    assert "code=" not in location, location


def test_the_level_kept_issues_the_code(client, register, citizen):
    agency = register()
    page, flow = _page(client, agency, citizen, acr_values=SUBSTANTIAL)
    code = redirect_params(decide(client, page), agency)["code"]
    assert claims_of(exchange(client, agency, code, flow).get_json()["id_token"])["acr"] == SUBSTANTIAL
