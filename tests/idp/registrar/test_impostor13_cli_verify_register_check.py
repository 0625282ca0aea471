"""`cedula registrar verify` checks the account's own details against the civil register, as
the desk's "verify" does (desk14, `views._document_action`): the operator's command raises an
account to level high just the same, so an impostor who enrolled online with a real person's
national ID and made-up names (or another birth date), then showed an operator a forged
document and a desk code of their own passkey, was raised to level high there (impostor13)."""

from __future__ import annotations

import pytest

from tests.idp.conftest import dui, enrol
from tests.idp.registrar.test_registrar import FUTURE, _trail, desk_code, import_register
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.civil_register import in_register
from tests.support.cli import cedula

ROSA = {"given_name": "Rosa", "family_name": "Martínez Soto", "birthdate": "1955-03-02"}  # the register's


def _verify(app, national_id: str, code: str):
    return cedula(app, "registrar", "verify", national_id, "--document-type", "national_id_card",
                  "--document-number", "05555555-5", "--document-expiry", FUTURE, "--desk-code", code)


def _proofing(app, citizen_id):
    from idp.assurance.services import proofing_of
    from infra.db import get_db

    with get_db(app).read() as session:
        return proofing_of(session, citizen_id)


def _refusals(app) -> list[dict]:
    from idp.registrar.models import RegistrarAuditEntry
    from infra.db import get_db

    with get_db(app).read() as session:
        return [e.details for e in session.query(RegistrarAuditEntry).filter_by(action="register.refused")]


@pytest.mark.parametrize(("number", "details", "outcome", "fields", "said"), [
    (55555555, {}, "mismatch", ["given_name", "family_name", "birthdate"],  # made-up names
     "the civil register holds other given_name, family_name, birthdate for this national ID than the account"),
    (55555555, {**ROSA, "birthdate": "1956-03-02"}, "mismatch", ["birthdate"],
     "the civil register holds other birthdate for this national ID than the account"),
    (66666666, {}, "not_found", [], "the civil register holds no record of this national ID"),
], ids=["made_up_names", "another_birthdate", "unknown_id"])
def test_an_impostor_enrolled_with_a_real_id_is_not_raised_by_the_command(oidc_app, number, details,
                                                                           outcome, fields, said):
    import_register(oidc_app)
    device = oidc_app.test_client()
    impostor = enrol(device, SoftwareAuthenticator(), national_id=dui(number), email="rosa@example.sv",
                     **details)
    code = desk_code(device)
    result = _verify(oidc_app, impostor.national_id, code)
    assert result.exit_code == 1 and said in result.output, result.output
    assert "level high was not raised" in result.output and "civil registry" in result.output
    assert _proofing(oidc_app, impostor.citizen_id)[0] == "low"  # nothing raised
    assert ("operator", "identity.verified", impostor.citizen_id) not in _trail(oidc_app)
    assert ("operator", "register.refused", impostor.citizen_id) in _trail(oidc_app)
    [refusal] = _refusals(oidc_app)
    assert refusal["attempted"] == "verify" and refusal["outcome"] == outcome and refusal["fields"] == fields
    assert "1956" not in str(refusal) and "López" not in str(refusal)  # which fields, never values
    # Asked before the desk code is spent: once the register holds the account's details (the
    # civil registry corrected it), the same code still confirms the holder.
    in_register(oidc_app, impostor.citizen_id)
    result = _verify(oidc_app, impostor.national_id, code)
    assert result.exit_code == 0 and "identity verified in person (level high)" in result.output, result.output
    assert _proofing(oidc_app, impostor.citizen_id)[0] == "high"


def test_a_register_that_cannot_answer_raises_nobody(oidc_app, monkeypatch):
    from idp.civil_register import REGISTER
    from idp.civil_register.errors import RegistryUnavailable
    from tests.support.components import replace_component

    class Down:
        name = "down"

        def match(self, session, *, query):
            raise RegistryUnavailable("the register's API did not answer")

    import_register(oidc_app)
    device = oidc_app.test_client()
    rosa = enrol(device, SoftwareAuthenticator(), national_id=dui(55555555), email="rosa@example.sv", **ROSA)
    replace_component(monkeypatch, oidc_app, REGISTER, Down())
    result = _verify(oidc_app, rosa.national_id, desk_code(device))
    assert result.exit_code == 1, result.output
    assert "the civil register could not be asked" in result.output and "run the command again" in result.output
    assert _proofing(oidc_app, rosa.citizen_id)[0] == "low"
    assert "identity.verified" not in [a for _, a, _ in _trail(oidc_app)]


def test_the_person_the_register_names_is_raised(oidc_app):
    import_register(oidc_app)
    device = oidc_app.test_client()
    rosa = enrol(device, SoftwareAuthenticator(), national_id=dui(55555555), email="rosa@example.sv",
                 **{**ROSA, "family_name": "MARTINEZ  soto"})  # the register's spelling rules
    result = _verify(oidc_app, rosa.national_id, desk_code(device))
    assert result.exit_code == 0 and "identity verified in person (level high)" in result.output, result.output
    assert _proofing(oidc_app, rosa.citizen_id)[0] == "high" and _refusals(oidc_app) == []
