"""A squatter whose account was frozen (the national ID given back to its holder) goes to a
service point: a registrar must not verify that record in person nor give it a binding code.
Either would revive the frozen account (a passkey again, proofing high, the names the squatter
typed in) that the reclaim took away; the record holds no identity any more."""

from __future__ import annotations

import re

from tests.idp.assurance.conftest import metadata, pki  # noqa: F401 - fixtures
from tests.idp.conftest import csrf, dui, enrol
from tests.idp.oidc.conftest import oidc_app  # noqa: F401 - fixture
from tests.idp.registrar.test_registrar import EVA_DETAILS, FUTURE, _trail, registrar  # noqa: F401
from tests.support.authenticator import SoftwareAuthenticator


def _squatter(app, **details):
    """Someone who enrolled with another person's national ID (and with `details`, their names
    and date of birth too)."""
    return enrol(app.test_client(), SoftwareAuthenticator(), national_id=dui(22222222), **details,
                 email="impostor@example.sv")


def _reclaim_from_the_squatter(client, document: dict) -> None:
    """The holder of the ID card, in person: the registrar gives the ID back (the squatter's account frozen)."""
    reclaimed = client.post("/registrar/reclaim", data={
        **document, "national_id": dui(22222222), "given_name": "Eva", "family_name": "Ruiz",
        "birthdate": "1991-01-01", "email": "eva@example.sv"})
    assert reclaimed.status_code == 200


def test_a_frozen_record_gets_no_in_person_check_nor_binding_code(client, registrar, oidc_app):  # noqa: F811
    from idp.assurance.services import proofing_of
    from infra.db import get_db

    squatter = _squatter(oidc_app)
    token = csrf(client, "/registrar/reclaim")
    document = {"csrf_token": token, "document_type": "passport", "document_number": "A1234567",
                "document_expiry": FUTURE}
    _reclaim_from_the_squatter(client, document)

    for action in ("recovery", "verify"):
        refused = client.post(f"/registrar/citizens/{squatter.citizen_id}/{action}", data=document)
        assert refused.status_code == 404, action
        assert not re.search(r'id="binding-code"', refused.get_data(as_text=True))
    with get_db(oidc_app).read() as session:
        assert proofing_of(session, squatter.citizen_id) == ("low", "self_asserted")
    assert ("registrar", "recovery.code_issued", squatter.citizen_id) not in _trail(oidc_app)


def test_a_binding_code_issued_before_the_freeze_no_longer_binds(client, registrar, oidc_app):  # noqa: F811
    # Only a squatter who typed the person's names and date of birth as the register holds them
    # gets a binding code at the desk (idp.registrar.views._document_action, desk15).
    squatter = _squatter(oidc_app, **EVA_DETAILS)
    token = csrf(client, "/registrar")
    document = {"csrf_token": token, "document_type": "passport", "document_number": "A1234567",
                "document_expiry": FUTURE}
    page = client.post(f"/registrar/citizens/{squatter.citizen_id}/recovery", data=document)
    code = re.search(r'id="binding-code">([A-Z0-9-]+)<', page.get_data(as_text=True)).group(1)
    _reclaim_from_the_squatter(client, document)

    device = oidc_app.test_client()
    refused = device.post("/bind", data={"csrf_token": csrf(device, "/bind"), "code": code})
    assert refused.status_code == 400
    assert device.get("/account").status_code in (302, 303)  # not signed in to the frozen account
