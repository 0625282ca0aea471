"""Assisted enrolment at a service point (issue #19): the registrar creates the identity after
the in-person check (level high), then binds a security key on their computer or gives the
citizen's phone a one-time link; once, for a while, never on their own record; all trailed."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from tests.idp.assurance.conftest import proofing
from tests.idp.conftest import csrf, dui, post_json
from tests.idp.registrar.conftest import bind
from tests.idp.registrar.test_registrar import _log, _trail
from tests.support.authenticator import SoftwareAuthenticator

FUTURE = (date.today() + timedelta(days=365)).isoformat()
PERSON = {"national_id": dui(55555555), "given_name": "Rosa", "family_name": "Martínez Soto",
          "birthdate": "1955-03-02", "email": "rosa@example.sv", "document_type": "national_id_card",
          "document_number": dui(55555555), "document_expiry": FUTURE}


def _enrol(client, **overrides):
    token = csrf(client, "/registrar/enrol")
    return client.post("/registrar/enrol", data={"csrf_token": token, **PERSON, **overrides})


def _created(client) -> str:
    response = _enrol(client)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def _json(client, path, body, token):
    return post_json(client, path, body, headers={"X-CSRF-Token": token, "Origin": "http://localhost"})


def test_enrol_then_bind_a_security_key(client, oidc_app, registrar):
    assert 'href="/registrar/enrol"' in client.get("/registrar").get_data(as_text=True)
    citizen_id = _created(client)
    assert proofing(oidc_app, citizen_id) == ("high", "in_person")
    page = client.get(f"/registrar/enrolments/{citizen_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="key-submit"' in html and 'id="phone-form"' in html
    token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    options = _json(client, f"/registrar/enrolments/{citizen_id}/key/options", {}, token)
    assert options.status_code == 200, options.get_json()
    body = options.get_json()
    assert body["authenticatorSelection"]["userVerification"] == "required"
    assert body["authenticatorSelection"]["authenticatorAttachment"] == "cross-platform"
    assert body["hints"] == ["security-key"]
    key = SoftwareAuthenticator()
    verified = _json(client, f"/registrar/enrolments/{citizen_id}/key/verify", key.register(body), token)
    assert verified.status_code == 200, verified.get_json()
    assert verified.get_json()["next"] == f"/registrar/enrolments/{citizen_id}/done"
    # The citizen signs in with it on any device.
    from tests.idp.conftest import sign_in

    assert sign_in(oidc_app.test_client(), key).status_code == 200
    # Single use: neither route works again.
    assert client.get(f"/registrar/enrolments/{citizen_id}").status_code == 410
    again = _json(client, f"/registrar/enrolments/{citizen_id}/key/options", {}, token)
    assert again.status_code == 410 and again.get_json()["error"] == "enrolment_closed"
    phone = client.post(f"/registrar/enrolments/{citizen_id}/phone", data={"csrf_token": token})
    assert phone.status_code == 410
    actions = [(a, c) for _, a, c in _trail(oidc_app) if c == citizen_id]
    assert actions == [("identity.enrolled", citizen_id), ("identity.verified", citizen_id),
                       ("enrolment.security_key_bound", citizen_id)]
    assert _log(oidc_app, citizen_id) == ["registrar.enrolled", "registrar.identity_verified",
                                          "registrar.enrolment_key"]


def test_enrol_then_a_one_time_link_for_the_phone(client, oidc_app, registrar):
    citizen_id = _created(client)
    token = csrf(client, f"/registrar/enrolments/{citizen_id}")
    response = client.post(f"/registrar/enrolments/{citizen_id}/phone", data={"csrf_token": token})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    code = re.search(r'id="binding-code">([A-Z0-9-]+)<', html).group(1)
    assert 'src="data:image/svg+xml' in html and f"/bind?code={code}" in html
    phone = oidc_app.test_client()
    ok = bind(phone, code)
    assert ok.status_code == 303 and ok.headers["Location"] == "/account"
    options = post_json(phone, "/webauthn/registration/options", {}).get_json()
    created = post_json(phone, "/webauthn/registration/verify", SoftwareAuthenticator().register(options))
    assert created.status_code == 200
    other = oidc_app.test_client()
    assert other.post("/bind", data={"csrf_token": csrf(other, "/bind"), "code": code}).status_code == 400
    assert client.post(f"/registrar/enrolments/{citizen_id}/phone", data={"csrf_token": token}).status_code == 410
    assert _log(oidc_app, citizen_id) == ["registrar.enrolled", "registrar.identity_verified",
                                          "registrar.enrolment_link"]


def test_the_binding_step_expires(client, oidc_app, registrar):
    from idp.registrar import enrolment
    from infra.store import get_store

    citizen_id = _created(client)
    get_store(oidc_app).take(enrolment.PREFIX + citizen_id)  # what expiry does to the ticket
    assert client.get(f"/registrar/enrolments/{citizen_id}").status_code == 410
    token = csrf(client, "/registrar")
    assert client.post(f"/registrar/enrolments/{citizen_id}/phone", data={"csrf_token": token}).status_code == 410


def test_the_ticket_lives_binding_seconds(oidc_app):
    from datetime import UTC, datetime

    from idp.citizens.enrolment import EnrolmentData
    from idp.registrar import enrolment
    from idp.registrar.documents import DocumentCheck
    from idp.registrar.services import Actor
    from infra.db import get_db

    class Store(dict):
        def set(self, key, value, ttl):
            self[key] = (value, ttl)

    store = Store()
    data = EnrolmentData(given_name="Rosa", family_name="Soto", birthdate=date(1950, 1, 1),
                         national_id_scheme="sv-dui", national_id=dui(66666666), email="r@example.sv")
    with get_db(oidc_app).transaction() as session:
        citizen = enrolment.enrol_in_person(
            session, store, actor=Actor(name="operator:test"), data=data,
            document=DocumentCheck("passport", "P123", date.today() + timedelta(days=9)), ttl=900,
            now=datetime.now(UTC))
    # The store's TTL is what ends the step (tests/infra/store covers expiry itself).
    assert store[enrolment.PREFIX + str(citizen.id)][1] == 900


def test_own_record_and_already_enrolled_are_refused(client, oidc_app, registrar):
    # The registrar's own details, as the civil register holds them (test_registrar.REGISTER).
    own = _enrol(client, national_id=registrar.national_id, given_name="Ana María",
                 family_name="López Pérez", birthdate="1990-05-17", document_number="A1234567")
    assert own.status_code == 403
    assert ("registrar", "own_record.refused", registrar.citizen_id) in _trail(oidc_app)
    citizen_id = _created(client)
    taken = _enrol(client)
    assert taken.status_code == 409 and 'id="form-error"' in taken.get_data(as_text=True)
    # The registrar's own record is never a binding target, whatever the URL says.
    token = csrf(client, "/registrar")
    mine = client.post(f"/registrar/enrolments/{registrar.citizen_id}/phone", data={"csrf_token": token})
    assert mine.status_code == 403
    assert client.get(f"/registrar/enrolments/{registrar.citizen_id}").status_code == 403
    assert client.get(f"/registrar/enrolments/{uuid.uuid4()}").status_code == 404
    assert citizen_id


def test_another_registrar_cannot_bind(client, oidc_app, registrar, pki):
    from tests.idp.assurance.conftest import device_key, set_proofing
    from tests.idp.conftest import enrol
    from tests.idp.registrar.test_registrar import _grant

    citizen_id = _created(client)
    second = oidc_app.test_client()
    agent = enrol(second, device_key(pki, counter_step=1), national_id=dui(77777777), email="b@example.sv")
    set_proofing(oidc_app, agent.citizen_id, "high")
    _grant(oidc_app, agent.citizen_id, "Oficina Sur")
    assert second.get(f"/registrar/enrolments/{citizen_id}").status_code == 410
    token = csrf(second, "/registrar")
    assert second.post(f"/registrar/enrolments/{citizen_id}/phone", data={"csrf_token": token}).status_code == 410


def test_bad_fields_are_named(client, oidc_app, registrar):
    response = _enrol(client, national_id="123", document_expiry="2001-01-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and html.count('aria-invalid="true"') >= 2


@pytest.mark.parametrize("path", ["/registrar/enrol", "/registrar/enrolments/x"])
def test_only_registrars(client, oidc_app, path):
    from tests.idp.conftest import enrol

    enrol(client)
    assert client.get(path).status_code == 403


def test_a_key_without_user_verification_or_already_registered_leaves_the_step_open(client, oidc_app, registrar):
    citizen_id = _created(client)
    html = client.get(f"/registrar/enrolments/{citizen_id}").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', html).group(1)
    options_path, verify_path = (f"/registrar/enrolments/{citizen_id}/key/{step}" for step in ("options", "verify"))
    options = _json(client, options_path, {}, token).get_json()
    no_pin = _json(client, verify_path, SoftwareAuthenticator(user_verified=False).register(options), token)
    assert no_pin.status_code == 400 and no_pin.get_json()["error"] == "user_verification_required"
    options = _json(client, options_path, {}, token).get_json()
    taken = _json(client, verify_path, registrar.key.register(options), token)
    assert taken.status_code == 409 and taken.get_json()["error"] == "credential_exists"
    assert client.get(f"/registrar/enrolments/{citizen_id}").status_code == 200
    options = _json(client, options_path, {}, token).get_json()
    assert _json(client, verify_path, SoftwareAuthenticator().register(options), token).status_code == 200
