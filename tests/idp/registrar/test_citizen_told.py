"""The citizen hears at their e-mail address which registrar office checked their identity or
started an in-person recovery of their account: a desk code read out to a caller, or someone
at a desk with the citizen's document, does not change the account unseen."""

from __future__ import annotations

from datetime import date, timedelta

from tests.idp.conftest import csrf, dui, enrol
from tests.idp.registrar.test_registrar import EVA_DETAILS, desk_code
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.civil_register import in_register

FUTURE = (date.today() + timedelta(days=365)).isoformat()
EMAIL = "eva@example.sv"


def _messages(app):
    """The notices sent so far: the notify worker sends what the requests queued."""
    from infra.notify import get_outbox, get_worker

    get_worker(app).run_once()
    return [(m.subject, m.body) for m in get_outbox(app).messages(addresses=[EMAIL])]


def test_the_office_that_raised_the_level_is_named_to_the_citizen(client, oidc_app, registrar):
    device = oidc_app.test_client()
    other = enrol(device, SoftwareAuthenticator(), national_id=dui(22222222), **EVA_DETAILS, email=EMAIL)
    done = client.post(f"/registrar/citizens/{other.citizen_id}/verify", data={
        "csrf_token": csrf(client, "/registrar"), "document_type": "national_id_card",
        "document_number": "04892613-5", "document_expiry": FUTURE, "desk_code": desk_code(device)})
    assert done.status_code == 303
    [(subject, body)] = _messages(oidc_app)
    assert "comprobó su identidad" in subject
    assert "Oficina Centro" in body and "Si no fue usted" in body
    # and afterwards, on the page about their level: which office checked which document
    page = device.get("/account/assurance").get_data(as_text=True)
    evidence = page[page.index('id="evidence"'):]
    assert "oficina de atención «Oficina Centro»" in evidence[:evidence.index("</ul>")]


def test_an_in_person_recovery_is_told_to_the_citizen(client, oidc_app, registrar):
    other = enrol(oidc_app.test_client(), SoftwareAuthenticator(), national_id=dui(22222222),
                  email=EMAIL)
    in_register(oidc_app, other.citizen_id)
    page = client.post(f"/registrar/citizens/{other.citizen_id}/recovery", data={
        "csrf_token": csrf(client, "/registrar"), "document_type": "passport",
        "document_number": "A1234567", "document_expiry": FUTURE})
    assert page.status_code == 200
    [(subject, body)] = _messages(oidc_app)
    assert "recuperar su cuenta" in subject
    assert "Oficina Centro" in body and "oficina de atención" in body
