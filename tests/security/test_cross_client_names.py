"""An agency registering itself (RFC 7591) names itself as citizens will read it on the consent,
signing and sign-out pages: not as the provider ("Cédula", however spelt: capitals, a Cyrillic
letter, spaces), and with no invisible character that makes a name look like another one."""

from __future__ import annotations

import pytest

from clients.registry.services import issue_initial_token
from infra.db import get_db

BASE = {"redirect_uris": ["https://portal.example.gov/cb"]}


def _register(client, app, metadata):
    with get_db(app).transaction() as session:
        token = issue_initial_token(session, uses=1)
    return client.post("/register", json={**BASE, **metadata}, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("field", ["client_name", "client_name#en"])
@pytest.mark.parametrize("name", ["Cédula", "CEDULA - inicio de sesión", "C\u0435dula",  # Cyrillic е
                                  "Ce\u0301dula", "Cé dula oficial", "Сédula"])  # Cyrillic С
def test_a_registered_agency_cannot_call_itself_the_provider(client, fresh_app, field, name):
    """Before: 201, and the consent page asked the citizen to share their data with "Cédula"."""
    refused = _register(client, fresh_app, {"client_name": "Hacienda", field: name})
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "invalid_client_metadata"
    assert field in refused.get_json()["error_description"]


@pytest.mark.parametrize("mark", ["\u200b", "\u200e", "\u200f", "\u061c", "\u00ad", "\ufeff", "\u2060",
                                  "\U000e0041"])
def test_invisible_characters_in_a_name_are_refused(client, fresh_app, mark):
    """Before: "Hacienda" with a zero-width space, a direction mark or a soft hyphen was
    registered: it shows as another agency's name but compares different."""
    refused = _register(client, fresh_app, {"client_name": f"Hac{mark}ienda"})
    assert refused.status_code == 400, refused.get_json()
    assert "client_name" in refused.get_json()["error_description"]


def test_ordinary_agency_names_are_still_registered(client, fresh_app):
    for name in ("Ministerio de Hacienda", "Alcaldía de San Salvador", "Registro Nacional de las Personas Naturales"):
        created = _register(client, fresh_app, {"client_name": name})
        assert created.status_code == 201, created.get_json()
