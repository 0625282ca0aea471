"""The desk's "verify" (level high in person) checks the account's own details against the
civil register (desk14), as desk13 made the desk's enrolment and reclaim check typed ones: the
names and date of birth an account holds were typed at its online enrolment and never checked,
so an impostor who enrolled with a real person's national ID and made-up names (or the
person's names and another birth date), then came to a desk with a forged document and a desk
code of their own passkey, was raised to level high."""

from __future__ import annotations

import html

import pytest

from tests.idp.assurance.conftest import metadata, pki  # noqa: F401 - fixtures
from tests.idp.conftest import csrf, dui, enrol
from tests.idp.oidc.conftest import oidc_app  # noqa: F401 - fixture
from tests.idp.registrar.test_desk13_register_check import EN, ES, _refusals
from tests.idp.registrar.test_registrar import FUTURE, _trail, desk_code, registrar  # noqa: F401
from tests.support.authenticator import SoftwareAuthenticator

ROSA = {"given_name": "Rosa", "family_name": "Martínez Soto", "birthdate": "1955-03-02"}  # the register's
FORGED = {"document_type": "national_id_card", "document_number": "05555555-5", "document_expiry": FUTURE}


def _proofing(app, citizen_id):
    from idp.assurance.services import proofing_of
    from infra.db import get_db

    with get_db(app).read() as session:
        return proofing_of(session, citizen_id)


def _enrolled(app, **details: str):
    """Someone enrolled online with Rosa's national ID and these details, signed in on their own
    device (whose passkey gives them a desk code)."""
    device = app.test_client()
    person = enrol(device, SoftwareAuthenticator(), national_id=dui(55555555), email="rosa@example.sv",
                   **details)
    return device, person


def _verify(client, citizen_id: str, device, language: str = "es"):
    client.set_cookie("lang", language)
    return client.post(f"/registrar/citizens/{citizen_id}/verify",
                       data={"csrf_token": csrf(client, "/registrar"), **FORGED, "desk_code": desk_code(device)})


@pytest.mark.parametrize(("details", "fields", "language", "said"), [
    ({}, ["given_name", "family_name", "birthdate"], "es", (ES, "no se ha elevado")),  # made-up names
    ({**ROSA, "birthdate": "1956-03-02"}, ["birthdate"], "en", (EN, "its level was not raised")),
])
def test_an_impostor_enrolled_with_a_real_id_is_not_raised_at_the_desk(client, registrar, oidc_app,  # noqa: F811
                                                                        details, fields, language, said):
    device, impostor = _enrolled(oidc_app, **details)
    page = _verify(client, impostor.citizen_id, device, language)
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 400 and all(s in text for s in said), text[:3000]
    assert 'href="#verify-form"' in text and page.headers["Cache-Control"] == "no-store"
    assert _proofing(oidc_app, impostor.citizen_id) == ("low", "self_asserted")  # nothing raised
    assert ("registrar", "identity.verified", impostor.citizen_id) not in _trail(oidc_app)
    assert ("registrar", "register.refused", impostor.citizen_id) in _trail(oidc_app)
    [refusal] = _refusals(oidc_app)
    assert refusal["attempted"] == "verify" and refusal["fields"] == fields and refusal["outcome"] == "mismatch"
    assert "1956" not in str(refusal) and "López" not in str(refusal)  # which fields, never values


def test_nor_through_the_desk_recovery(client, registrar, oidc_app):  # noqa: F811
    """The in-person recovery raises the account to high too (and hands the person at the desk
    a binding code for it): the same check, no desk code needed to try it."""
    _, impostor = _enrolled(oidc_app)
    for language, said in (("es", "ningún código de vinculación"), ("en", "no binding code was issued")):
        client.set_cookie("lang", language)
        page = client.post(f"/registrar/citizens/{impostor.citizen_id}/recovery",
                           data={"csrf_token": csrf(client, "/registrar"), **FORGED})
        text = html.unescape(page.get_data(as_text=True))
        assert page.status_code == 400 and said in text and 'href="#recovery-form"' in text, text[:3000]
        assert 'id="binding-code"' not in text
    assert _proofing(oidc_app, impostor.citizen_id) == ("low", "self_asserted")
    assert [r["attempted"] for r in _refusals(oidc_app)] == ["recovery", "recovery"]


def test_the_person_the_register_names_is_still_raised(client, registrar, oidc_app):  # noqa: F811
    device, rosa = _enrolled(oidc_app, **{**ROSA, "given_name": "ROSA"})  # the register's spelling rules
    page = _verify(client, rosa.citizen_id, device)
    assert page.status_code == 303, page.get_data(as_text=True)[:2000]
    assert _proofing(oidc_app, rosa.citizen_id)[0] == "high" and _refusals(oidc_app) == []


def test_a_register_that_cannot_answer_raises_nobody(client, registrar, oidc_app, monkeypatch):  # noqa: F811
    from idp.civil_register import REGISTER
    from idp.civil_register.errors import RegistryUnavailable
    from tests.support.components import replace_component

    class Down:
        name = "down"

        def match(self, session, *, query):
            raise RegistryUnavailable("the register's API did not answer")

    device, rosa = _enrolled(oidc_app, **ROSA)
    replace_component(monkeypatch, oidc_app, REGISTER, Down())
    page = _verify(client, rosa.citizen_id, device)
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert "Inténtelo de nuevo" in html.unescape(page.get_data(as_text=True))
    assert _proofing(oidc_app, rosa.citizen_id)[0] == "low"  # nothing raised
    assert "identity.verified" not in [a for _, a, _ in _trail(oidc_app)]
