"""A service office's action is told to the citizen in the citizen's language and time zone
(idp.account.notice_locale), not the staff member's: the e-mail «a service office checked your
identity» was written in the language and zone of the registrar's request."""

from __future__ import annotations

import re

from tests.idp.conftest import csrf, dui, enrol
from tests.idp.registrar.test_registrar import EVA_DETAILS, FUTURE, desk_code, registrar  # noqa: F401 - fixture
from tests.support.authenticator import SoftwareAuthenticator

EMAIL = "reader@correo.example"


def _notices(app):
    from infra.notify import get_outbox, get_worker

    get_worker(app).run_once()
    return [(m.language, m.subject, m.body) for m in get_outbox(app).messages(addresses=[EMAIL])]


def _verify(client, citizen_id: str, device):
    done = client.post(f"/registrar/citizens/{citizen_id}/verify", data={
        "csrf_token": csrf(client, "/registrar"), "document_type": "national_id_card",
        "document_number": "04892613-5", "document_expiry": FUTURE, "desk_code": desk_code(device)})
    assert done.status_code == 303, done.get_data(as_text=True)[:500]


def test_the_office_notice_is_in_the_citizens_language_and_time_zone(client, oidc_app, registrar):  # noqa: F811
    device = oidc_app.test_client()  # the citizen's own browser: English, in Tokyo
    device.set_cookie("lang", "en")
    device.set_cookie("tz", "Asia/Tokyo")
    citizen = enrol(device, SoftwareAuthenticator(), national_id=dui(22222222), **EVA_DETAILS, email=EMAIL)
    client.set_cookie("lang", "es")  # the staff member's: Spanish, the setting's zone
    _verify(client, citizen.citizen_id, device)

    [(language, subject, body)] = [n for n in _notices(oidc_app) if "identity" in n[1] or "identidad" in n[1]]
    assert language == "en"
    assert subject == "Cédula: a service office checked your identity"
    assert body.startswith("On ") and "(GMT+09:00)" in body, body


def test_without_a_remembered_language_the_deployments_default_not_the_staffs(client, oidc_app, registrar):  # noqa: F811
    from idp.account import notice_locale
    from infra.store import get_store

    device = oidc_app.test_client()
    device.set_cookie("lang", "en")
    citizen = enrol(device, SoftwareAuthenticator(), national_id=dui(22222222), **EVA_DETAILS, email=EMAIL)
    code = desk_code(device)
    get_store(oidc_app).delete(notice_locale.KEY + citizen.citizen_id)  # nothing remembered
    client.set_cookie("lang", "en")  # the staff member reads English
    client.set_cookie("tz", "Asia/Tokyo")
    done = client.post(f"/registrar/citizens/{citizen.citizen_id}/verify", data={
        "csrf_token": csrf(client, "/registrar"), "document_type": "national_id_card",
        "document_number": "04892613-5", "document_expiry": FUTURE, "desk_code": code})
    assert done.status_code == 303, done.get_data(as_text=True)[:500]

    [(language, subject, body)] = [n for n in _notices(oidc_app) if "identity" in n[1] or "identidad" in n[1]]
    assert language == "es"  # the first of [i18n] languages
    assert subject == "Cédula: una oficina de atención comprobó su identidad"
    assert re.search(r"\(GMT-06:00\)", body), body  # [i18n] timezone, America/El_Salvador
