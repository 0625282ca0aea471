"""The texts an agency registers (client_name, purpose, software_id, software_version, their
language-tagged forms, contacts) are shown to citizens on the sign-in and consent pages and to
operators on their console and in `cedula clients list`, one tab-separated line per client.
Control characters and Unicode's bidirectional overrides are refused in them (400
invalid_client_metadata naming the field): a name with a line feed and tabs wrote a forged
row (another client_id, "enabled", another agency's name) into the operator's list, terminal
escapes rewrote the operator's screen, and a right-to-left override shows a name reversed."""

from __future__ import annotations

import pytest

from clients.registry.services import issue_initial_token
from infra.db import get_db

BASE = {"redirect_uris": ["https://hacienda.example.gov/cb"]}
HOSTILE = {
    "forged row": "Hacienda\nFAKEclient0000000000\tenabled\tprivate_key_jwt\tRegistro Civil",
    "terminal escape": "Hacienda\x1b[2K\x1b[1GRegistro Civil",
    "tab": "Hacienda\tRegistro Civil",
    "carriage return": "Hacienda\rRegistro Civil",
    "C1 next line": "Hacienda\x85Registro Civil",
    "delete": "Hacienda\x7f",
    "right-to-left override": "\u202elivic ortsigeR",
    "isolate": "Hacienda \u2067x\u2069",
    "line separator": "Hacienda\u2028Registro Civil",
}


def _register(client, app, metadata):
    with get_db(app).transaction() as session:
        token = issue_initial_token(session, uses=1)
    return client.post("/register", json={**BASE, **metadata}, headers={"Authorization": f"Bearer {token}"})


FIELDS = ["client_name", "client_name#en", "purpose", "software_id", "software_version"]
# A purpose may break its lines (the operator's textarea sends CR LF): any other control is refused.
CASES = [pytest.param(field, name, id=f"{field}-{label}") for field in FIELDS for label, name in HOSTILE.items()
         if not (field == "purpose" and label == "carriage return")]


@pytest.mark.parametrize(("field", "name"), CASES)
def test_control_characters_in_a_text_are_refused(client, fresh_app, field, name):
    refused = _register(client, fresh_app, {"client_name": "Hacienda", field: name})
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "invalid_client_metadata"
    assert field.split("#")[0] in refused.get_json()["error_description"]


@pytest.mark.parametrize("contact", ["ana@example.sv\nFAKE", "ana@example.sv\x1b[8m", "\u202eana@example.sv"])
def test_control_characters_in_a_contact_are_refused(client, fresh_app, contact):
    refused = _register(client, fresh_app, {"client_name": "Hacienda", "contacts": [contact]})
    assert refused.status_code == 400, refused.get_json()
    assert "contacts" in refused.get_json()["error_description"]


def test_a_purpose_may_break_its_lines_as_the_operators_textarea_does(client, fresh_app):
    created = _register(client, fresh_app, {"client_name": "Hacienda", "purpose": "Declaración de renta.\r\nPagos."})
    assert created.status_code == 201, created.get_json()


def test_names_in_any_script_with_emoji_are_still_registered(client, fresh_app):
    name = "Ministerio de Educación 👩\u200d🏫 (El Salvador) وزارة"  # a zero-width joiner in the emoji
    created = _register(client, fresh_app, {"client_name": name, "client_name#en": "Ministry of Education",
                                            "purpose": "Matrícula escolar\u00a02027",
                                            "contacts": ["soporte@educación.gob.sv"]})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["client_name"] == name
