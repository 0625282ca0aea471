"""A reclaim freezes the account that held a national ID and gives the number to the person who
proved it theirs (`idp.assurance.reclaim`): at a service office with a document, or with a code
sent to a contact the civil register holds. Done by an impostor (a borrowed or forged document
a desk accepted, a registrar who is in on it), it is the quickest way into another person's
identity: the impostor gets a new account proofed at high, with the person's national ID, and
signs in to every agency in their name, while the person's own account is frozen (passkeys,
recovery codes, agencies' access gone).

The person was told nothing: the other account-changing events of an office (an in-person
check, an in-person recovery) are e-mailed to the account's address (`security_notices`, NIST
SP 800-63B 6.1.2.3), a reclaim was not. They found out only when their passkey stopped working,
and by then the impostor had signed in to their agencies. Now the frozen account's address is
told, in the transaction that freezes it, which office did it (or that it was a code from the
register), with the way back (an office, with their document)."""

from __future__ import annotations

from tests.idp.assurance.test_reclaim import _claim, _code, _enter, _import, _send
from tests.idp.conftest import csrf, dui, enrol
from tests.idp.registrar.test_registrar import FUTURE, registrar  # noqa: F401 - fixture
from tests.support.authenticator import SoftwareAuthenticator

PERSON = "persona@example.sv"


def _told(app, address: str) -> list[tuple[str, str]]:
    from infra.notify import get_outbox, get_worker

    get_worker(app).run_once()
    return [(m.subject, m.body) for m in get_outbox(app).messages(addresses=[address])]


def test_an_account_frozen_by_a_reclaim_at_an_office_is_told_which_office(client, registrar, oidc_app):  # noqa: F811
    person = enrol(oidc_app.test_client(), SoftwareAuthenticator(), national_id=dui(22222222), email=PERSON)
    assert _told(oidc_app, PERSON) == []
    form = {"csrf_token": csrf(client, "/registrar/reclaim"), "national_id": person.national_id,
            "given_name": "Eva", "family_name": "Ruiz", "birthdate": "1991-01-01",
            "email": "impostor@example.sv", "document_type": "passport", "document_number": "X999",
            "document_expiry": FUTURE}
    assert client.post("/registrar/reclaim", data=form).status_code == 200  # the desk was fooled
    [(subject, body)] = _told(oidc_app, PERSON)
    assert "bloqueó su cuenta" in subject
    assert "«Oficina Centro»" in body and "documento de identidad" in body
    assert "oficina de atención con su documento de identidad" in body  # the way back


def test_an_account_frozen_by_a_reclaim_with_a_register_code_is_told_too(oidc_app):
    _import(oidc_app)
    enrol(oidc_app.test_client(), email=PERSON)  # the account holding Ana's number
    claimant = oidc_app.test_client()
    assert _claim(claimant).status_code == 303
    _send(claimant)
    assert _enter(claimant, _code(oidc_app)).status_code == 200
    told = _told(oidc_app, PERSON)
    assert len(told) == 1, told
    subject, body = told[0]
    assert "bloqueó su cuenta" in subject
    assert "registro civil" in body and "Oficina" not in body
