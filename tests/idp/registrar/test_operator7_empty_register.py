"""A deployment whose imported civil register was never loaded (operator7): `assurance.registry
= "imported"` is the default, and every desk action checks the register (desk13). With an empty
register the desk answered 400 "the civil register does not hold these names [...] the person
must ask the civil registry to correct it": the registrar sent a person away to correct a
register that was right, and nothing told the operator that the import was missing. Now the
desk answers 503 + Retry-After saying the register is not loaded and whom to ask, the log line
names the command and the file format, and the operator console says so on its first page."""

from __future__ import annotations

import html
import logging

import pytest

from tests.idp.conftest import csrf, enrol
from tests.idp.operator.conftest import operator  # noqa: F401 - fixture
from tests.idp.registrar.test_registrar import FUTURE, _trail, import_register
from tests.support.authenticator import SoftwareAuthenticator

DOCUMENT = {"document_type": "national_id_card", "document_number": "A123", "document_expiry": FUTURE}
ROSA = {"given_name": "Rosa", "family_name": "Martínez Soto", "birthdate": "1955-03-02",
        "email": "rosa@example.sv", **DOCUMENT}
SAID = {"es": "El registro civil aún no se ha importado",
        "en": "The civil register has not been imported yet"}
ASK = {"es": "Pida al operador que lo importe", "en": "Ask the operator to import it"}
LOGGED = ("cedula registry import FILE (UTF-8 CSV with the header "
          "national_id,given_name,family_name,birthdate")


def _empty_register(app) -> None:
    import sqlalchemy as sa

    from idp.civil_register.models import RegisterRecord
    from infra.db import get_db

    with get_db(app).transaction() as session:
        session.execute(sa.delete(RegisterRecord))


def _said(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_desk_says_an_empty_register_is_not_loaded_and_does_nothing(client, registrar, oidc_app,
                                                                         caplog, language):
    from tests.idp.conftest import dui

    _empty_register(oidc_app)
    client.set_cookie("lang", language)
    with caplog.at_level(logging.WARNING, logger="idp.registrar.pages"):
        page = client.post("/registrar/enrol", data={"csrf_token": csrf(client, "/registrar/enrol"),
                                                     "national_id": dui(55555555), **ROSA})
    text = _said(page)
    assert page.status_code == 503 and page.headers["Retry-After"] == "60", text[:2000]
    assert SAID[language] in text and ASK[language] in text, text[:3000]
    assert "identity.enrolled" not in [a for _, a, _ in _trail(oidc_app)]
    assert "register.refused" not in [a for _, a, _ in _trail(oidc_app)]  # nobody's details were refused
    [line] = [r for r in caplog.records if r.name == "idp.registrar.pages"]
    assert line.getMessage() == "registrar refused: the imported civil register is empty"
    assert LOGGED in line.advice and dui(55555555) not in str(line.__dict__)


def test_the_desk_check_of_an_account_says_so_too(client, registrar, oidc_app):
    from tests.idp.conftest import dui

    eva = enrol(oidc_app.test_client(), SoftwareAuthenticator(), national_id=dui(22222222),
                given_name="Eva", family_name="Ruiz", birthdate="1991-01-01", email="eva@example.sv")
    _empty_register(oidc_app)
    client.set_cookie("lang", "en")
    page = client.post(f"/registrar/citizens/{eva.citizen_id}/verify",
                       data={"csrf_token": csrf(client, "/registrar"), **DOCUMENT, "desk_code": "ABCD-EFGH"})
    assert page.status_code == 503 and SAID["en"] in _said(page), _said(page)[:2000]
    assert page.headers["Retry-After"] == "60"


def test_the_operator_console_says_the_register_is_empty_until_it_is_imported(client, operator,  # noqa: F811
                                                                              oidc_app):
    client.set_cookie("lang", "en")
    first = _said(client.get("/operator"))
    assert 'id="register-empty"' in first and "cedula registry import FILE" in first, first[:3000]
    assert "national_id,given_name,family_name,birthdate" in first
    import_register(oidc_app)
    assert 'id="register-empty"' not in _said(client.get("/operator"))


@pytest.mark.parametrize(("language", "said"), [("es", "Hasta que el operador importe el registro civil"),
                                                ("en", "Until the operator imports the civil register")],
                         ids=["es", "en"])
def test_the_registrar_console_says_so_before_any_form_is_filled(client, registrar, oidc_app,
                                                                language, said):
    _empty_register(oidc_app)
    client.set_cookie("lang", language)
    page = _said(client.get("/registrar"))
    assert 'id="register-empty"' in page and said in page, page[:3000]
    import_register(oidc_app)
    assert 'id="register-empty"' not in _said(client.get("/registrar"))
