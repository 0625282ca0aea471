"""Impostors must not sign in another person's name: a registrar's in-person check raises the
proofing of an account only when the person at the desk shows that they hold it (a desk code
from their own passkey session). Someone who enrolled with another person's details (printed
on that person's card) and waits at level low must not get level high when the genuine
holder shows their document at a service point."""

from __future__ import annotations

import re

from tests.idp.assurance.conftest import metadata, pki  # noqa: F401 - fixtures
from tests.idp.conftest import csrf, dui, enrol, sign_in
from tests.idp.oidc.conftest import oidc_app  # noqa: F401 - fixture
from tests.idp.registrar.test_registrar import EVA_DETAILS, FUTURE, registrar  # noqa: F401
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.civil_register import in_register


def _proofing(app, citizen_id):
    from idp.assurance.services import proofing_of
    from infra.db import get_db

    with get_db(app).read() as session:
        return proofing_of(session, citizen_id)


def _document(token: str, **extra: str) -> dict[str, str]:
    return {"csrf_token": token, "document_type": "national_id_card", "document_number": "04892613-5",
            "document_expiry": FUTURE, **extra}


def _desk_code(device) -> str:
    """The holder, signed in on their own device, asks for the code to show at the desk."""
    page = device.get("/account/desk-code")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    offered = re.findall(r"<option>([^<]+)</option>", page.get_data(as_text=True))
    shown = device.post("/account/desk-code", data={"csrf_token": csrf(device, "/account/desk-code"),
                                                    "office": offered[0] if offered else ""})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    return re.search(r'id="desk-code">([A-Z0-9-]+)<', shown.get_data(as_text=True)).group(1)


def test_the_holders_document_does_not_raise_a_squatters_account(client, registrar, oidc_app):  # noqa: F811
    squatter_device = oidc_app.test_client()
    squatter = enrol(squatter_device, SoftwareAuthenticator(), national_id=dui(22222222), **EVA_DETAILS,
                     email="impostor@example.sv")
    token = csrf(client, "/registrar")
    page = client.get(f"/registrar/citizens/{squatter.citizen_id}").get_data(as_text=True)
    assert 'id="passkeys"' in page  # the registrar sees the account's passkeys

    # The genuine holder shows their card; they hold no passkey of this account, so no code.
    refused = client.post(f"/registrar/citizens/{squatter.citizen_id}/verify", data=_document(token))
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert 'href="#verify-desk_code"' in html and 'href="/registrar/reclaim"' in html
    guessed = client.post(f"/registrar/citizens/{squatter.citizen_id}/verify",
                          data=_document(token, desk_code="ABCD-EFGH"))
    assert guessed.status_code == 400
    assert _proofing(oidc_app, squatter.citizen_id)[0] == "low"  # its details match the register: low by register_match

    # A code from another account (the registrar's own, or anyone's) does not fit this one.
    other_device = oidc_app.test_client()
    enrol(other_device, SoftwareAuthenticator(), national_id=dui(33333333), email="otra@example.sv")
    foreign = client.post(f"/registrar/citizens/{squatter.citizen_id}/verify",
                          data=_document(token, desk_code=_desk_code(other_device)))
    assert foreign.status_code == 400
    assert _proofing(oidc_app, squatter.citizen_id)[0] == "low"  # its details match the register: low by register_match


def test_the_holder_confirms_from_their_own_passkey_session(client, registrar, oidc_app):  # noqa: F811
    device = oidc_app.test_client()
    holder = enrol(device, SoftwareAuthenticator(), national_id=dui(22222222), **EVA_DETAILS, email="eva@example.sv")
    token = csrf(client, "/registrar")
    code = _desk_code(device)
    done = client.post(f"/registrar/citizens/{holder.citizen_id}/verify",
                       data=_document(token, desk_code=code.lower()))
    assert done.status_code == 303 and done.headers["Location"].endswith("?done=verified")
    assert _proofing(oidc_app, holder.citizen_id) == ("high", "in_person")
    again = client.post(f"/registrar/citizens/{holder.citizen_id}/verify",
                        data=_document(token, desk_code=code))
    assert again.status_code == 400  # single use


def test_a_recovery_session_gets_no_desk_code(oidc_app, registrar):  # noqa: F811
    device = oidc_app.test_client()
    holder = enrol(device, SoftwareAuthenticator(), national_id=dui(22222222), email="eva@example.sv")
    recovering = oidc_app.test_client()
    token = csrf(recovering, "/recover")
    assert recovering.post("/recover", data={"csrf_token": token, "national_id": holder.national_id,
                                             "code": holder.codes[0]}).status_code == 303
    page = recovering.post("/account/desk-code", data={"csrf_token": csrf(recovering, "/account")})
    assert page.status_code in (302, 303, 403)
    assert 'id="desk-code"' not in page.get_data(as_text=True)


def test_recovery_at_the_desk_ends_every_passkey_and_session_of_the_account(client, registrar, oidc_app):  # noqa: F811
    squatter_device = oidc_app.test_client()
    squatter_key = SoftwareAuthenticator()
    squatter = enrol(squatter_device, squatter_key, national_id=dui(22222222), email="impostor@example.sv")
    token = csrf(client, "/registrar")
    in_register(oidc_app, squatter.citizen_id)
    page = client.post(f"/registrar/citizens/{squatter.citizen_id}/recovery", data=_document(token))
    assert page.status_code == 200 and 'id="binding-code"' in page.get_data(as_text=True)
    # The squatter's session and passkey are gone: the account is the document holder's now.
    assert squatter_device.get("/account").status_code in (302, 303)
    assert sign_in(oidc_app.test_client(), squatter_key).status_code != 200
    recover = oidc_app.test_client()
    refused = recover.post("/recover", data={"csrf_token": csrf(recover, "/recover"),
                                             "national_id": squatter.national_id, "code": squatter.codes[0]})
    assert refused.status_code != 303


def test_a_desk_code_works_only_at_the_office_the_holder_chose(client, registrar, oidc_app):  # noqa: F811
    """A code read out to a caller, or seen over a shoulder at one office, opens nothing at
    another: the holder chose the office where they are, and the code is bound to it."""
    from tests.idp.registrar.test_registrar import _grant, desk_code

    elsewhere = enrol(oidc_app.test_client(), SoftwareAuthenticator(), national_id=dui(44444444),
                      email="sur@example.sv")
    _grant(oidc_app, elsewhere.citizen_id, point="Oficina Sur")
    device = oidc_app.test_client()
    holder = enrol(device, SoftwareAuthenticator(), national_id=dui(22222222), **EVA_DETAILS, email="eva@example.sv")
    page = device.get("/account/desk-code").get_data(as_text=True)
    assert re.findall(r"<option>([^<]+)</option>", page) == ["Oficina Centro", "Oficina Sur"]

    code = desk_code(device, office="Oficina Sur")
    token = csrf(client, "/registrar")  # the registrar of Oficina Centro
    refused = client.post(f"/registrar/citizens/{holder.citizen_id}/verify", data=_document(token, desk_code=code))
    assert refused.status_code == 400
    assert _proofing(oidc_app, holder.citizen_id)[0] == "low"  # its details match the register: low by register_match
    code = desk_code(device, office="Oficina Centro")
    done = client.post(f"/registrar/citizens/{holder.citizen_id}/verify", data=_document(token, desk_code=code))
    assert done.status_code == 303 and _proofing(oidc_app, holder.citizen_id) == ("high", "in_person")


def test_a_desk_code_needs_an_office_chosen_from_the_list(client, registrar, oidc_app):  # noqa: F811
    device = oidc_app.test_client()
    enrol(device, SoftwareAuthenticator(), national_id=dui(22222222), email="eva@example.sv")
    for office in ("", "Oficina Inventada"):
        page = device.post("/account/desk-code", data={"csrf_token": csrf(device, "/account/desk-code"),
                                                       "office": office})
        html = page.get_data(as_text=True)
        assert page.status_code == 400 and 'id="desk-code"' not in html
        assert 'href="#desk-office"' in html and 'aria-invalid="true"' in html
