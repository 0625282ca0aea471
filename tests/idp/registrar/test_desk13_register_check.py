"""The desk checks what the registrar types against the civil register, as /reclaim does
(desk13): one registrar alone must not enrol a national ID at level high, nor move it to a new
account, with names or a date of birth the register does not hold for it; a register that
cannot answer refuses (503, try again), never lets the details through unchecked."""

from __future__ import annotations

import html

import pytest

from tests.idp.assurance.conftest import metadata, pki  # noqa: F401 - fixtures
from tests.idp.conftest import csrf, dui, enrol
from tests.idp.oidc.conftest import oidc_app  # noqa: F401 - fixture
from tests.idp.registrar.test_registrar import FUTURE, _trail, registrar  # noqa: F401
from tests.support.authenticator import SoftwareAuthenticator

DOCUMENT = {"document_type": "national_id_card", "document_number": "A123", "document_expiry": FUTURE}
ROSA = {"national_id": dui(55555555), "given_name": "Rosa", "family_name": "Martínez Soto",
        "birthdate": "1955-03-02", "email": "rosa@example.sv", **DOCUMENT}
EVA = {"national_id": dui(22222222), "given_name": "Eva", "family_name": "Ruiz",
       "birthdate": "1991-01-01", "email": "eva@example.sv", **DOCUMENT}
ES = "debe pedir la corrección en el registro civil"
EN = "the person must ask the civil registry to correct it"


def _post(client, path: str, person: dict[str, str], language: str = "es", **overrides: str):
    client.set_cookie("lang", language)
    return client.post(path, data={"csrf_token": csrf(client, path), **person, **overrides})


def _holders(app, national_id: str) -> list[str]:
    from idp.citizens.models import Citizen
    from infra.db import get_db

    with get_db(app).read() as session:
        return [str(c.id) for c in session.query(Citizen).filter_by(national_id=national_id)]


def _refusals(app) -> list[dict]:
    from idp.registrar.models import RegistrarAuditEntry
    from infra.db import get_db

    with get_db(app).read() as session:
        return [e.details for e in session.query(RegistrarAuditEntry).filter_by(action="register.refused")]


@pytest.mark.parametrize(("overrides", "fields", "language", "said"), [
    ({"birthdate": "1955-03-03"}, ["birthdate"], "es", ES),
    ({"given_name": "Rosalía", "family_name": "Soto"}, ["given_name", "family_name"], "en", EN),
    ({"national_id": dui(66666666)}, [], "es", ES),  # an ID the register does not hold
])
def test_the_desk_does_not_enrol_details_the_register_does_not_hold(client, registrar, oidc_app,  # noqa: F811
                                                                    overrides, fields, language, said):
    page = _post(client, "/registrar/enrol", ROSA, language, **overrides)
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 400 and said in text, text[:3000]
    assert _holders(oidc_app, overrides.get("national_id", ROSA["national_id"])) == []  # nothing written
    assert "identity.enrolled" not in [a for _, a, _ in _trail(oidc_app)]
    [refusal] = _refusals(oidc_app)
    assert refusal["attempted"] == "enrol" and refusal["fields"] == fields
    assert refusal["outcome"] == ("not_found" if not fields else "mismatch")
    assert "1955-03-03" not in str(refusal) and "Rosalía" not in str(refusal)  # which fields, never values


def test_the_register_s_spelling_rules_still_let_the_right_person_in(client, registrar, oidc_app):  # noqa: F811
    page = _post(client, "/registrar/enrol", ROSA, given_name="ROSA", family_name="martinez  soto")
    assert page.status_code == 303, page.get_data(as_text=True)[:2000]
    assert len(_holders(oidc_app, ROSA["national_id"])) == 1 and _refusals(oidc_app) == []


def test_the_desk_does_not_move_an_id_with_details_the_register_does_not_hold(client, registrar,  # noqa: F811
                                                                              oidc_app):  # noqa: F811
    squatter = enrol(oidc_app.test_client(), SoftwareAuthenticator(), national_id=dui(22222222),
                     email="impostor@example.sv")
    for language, said in (("es", ES), ("en", EN)):
        page = _post(client, "/registrar/reclaim", EVA, language, family_name="Ruiz Peña")
        text = html.unescape(page.get_data(as_text=True))
        assert page.status_code == 400 and said in text, text[:3000]
    assert _holders(oidc_app, dui(22222222)) == [squatter.citizen_id]  # not frozen, not moved
    actions = [a for _, a, _ in _trail(oidc_app)]
    assert "identity.frozen" not in actions and "identity.reclaimed" not in actions
    assert [r["attempted"] for r in _refusals(oidc_app)] == ["reclaim", "reclaim"]
    assert all(r["fields"] == ["family_name"] for r in _refusals(oidc_app))


@pytest.mark.parametrize(("path", "person"), [("/registrar/enrol", ROSA), ("/registrar/reclaim", EVA)])
def test_a_register_that_cannot_answer_refuses_with_try_again(client, registrar, oidc_app,  # noqa: F811
                                                              monkeypatch, path, person):
    from idp.civil_register import REGISTER
    from idp.civil_register.errors import RegistryUnavailable
    from tests.support.components import replace_component

    class Down:
        name = "down"

        def match(self, session, *, query):
            raise RegistryUnavailable("the register's API did not answer")

    squatter = enrol(oidc_app.test_client(), SoftwareAuthenticator(), national_id=dui(22222222),
                     email="impostor@example.sv") if person is EVA else None
    replace_component(monkeypatch, oidc_app, REGISTER, Down())
    page = _post(client, path, person)
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert "Inténtelo de nuevo" in html.unescape(page.get_data(as_text=True))
    assert _holders(oidc_app, person["national_id"]) == ([squatter.citizen_id] if squatter else [])
    actions = [a for _, a, _ in _trail(oidc_app)]
    assert not {"identity.enrolled", "identity.frozen", "identity.reclaimed"} & set(actions)

