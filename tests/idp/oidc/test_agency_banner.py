"""The sign-in and consent pages name the agency that sent the citizen, in the citizen's
language (client_name#en, OIDC Registration 2.1), with its logo from our own origin."""

from __future__ import annotations

import hashlib

from tests.idp.conftest import enrol
from tests.idp.oidc.conftest import Flow, authorize_url
from tests.support.images import png

NAMES = {"client_name": "Ministerio de Hacienda", "client_name#en": "Ministry of Finance",
         "purpose": "Presentar su declaración", "purpose#en": "To file your tax return"}


def _with_logo(app, client_id, image):
    from clients.registry.logos import upload_logo
    from infra.db import get_db

    with get_db(app).transaction() as session:
        upload_logo(session, client_id=client_id, data=image)
    return f"/agency-logos/{hashlib.sha256(image).hexdigest()}.png"


def test_consent_page_in_spanish_and_english(client, oidc_app, register):
    agency = register(**NAMES)
    logo = _with_logo(oidc_app, agency.client_id, png(48, 48))
    enrol(client)
    page = client.get(authorize_url(agency, Flow()), headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert f'<img id="agency-logo" src="{logo}" alt="Ministerio de Hacienda"' in page
    assert "Presentar su declaración" in page
    english = client.get(authorize_url(agency, Flow()), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'<img id="agency-logo" src="{logo}" alt="Ministry of Finance"' in english
    assert "To file your tax return" in english and "Ministerio de Hacienda" not in english
    assert client.get(logo).status_code == 200


def test_sign_in_page_names_the_agency(client, oidc_app, register):
    agency = register(**NAMES)
    started = client.get(authorize_url(agency, Flow()), headers={"Accept-Language": "en"})
    assert started.status_code == 302 and started.headers["Location"].startswith("/login?next=")
    page = client.get(started.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<span id="agency-name">Ministry of Finance</span>' in page
    assert 'id="agency-logo"' not in page  # no logo kept: the name alone
    plain = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="agency"' not in plain
    forged = client.get("/login?next=/authorize/continue%3Finteraction%3Dnope").get_data(as_text=True)
    assert 'id="agency"' not in forged


def test_names_in_the_citizens_lists_follow_the_language(client, oidc_app, register):
    from tests.idp.oidc.conftest import get_code

    agency = register(**NAMES)
    enrol(client)
    get_code(client, agency)
    spanish = client.get("/account/agencies", headers={"Accept-Language": "es"}).get_data(as_text=True)
    english = client.get("/account/agencies", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Ministerio de Hacienda" in spanish and "Ministry of Finance" in english


def test_no_citizen_request_fetches_anything(client, oidc_app, register, monkeypatch):
    """The logo comes from what was kept at registration: the sign-in and consent pages make
    no outbound request, even when the agency has a logo_uri."""
    from infra.outbound import Outbound

    def refuse(*_args, **_kwargs):
        raise AssertionError("an outbound request on a citizen's page")

    agency = register(**NAMES, logo_uri="https://hacienda.example.gov/logo.png")
    monkeypatch.setattr(Outbound, "request", refuse)
    started = client.get(authorize_url(agency, Flow()))
    assert client.get(started.headers["Location"]).status_code == 200
    enrol(client)
    assert client.get(authorize_url(agency, Flow())).status_code == 200
