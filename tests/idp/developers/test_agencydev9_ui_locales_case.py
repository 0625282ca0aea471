"""`ui_locales` (OIDC Core 1.0 section 3.1.2.1) holds BCP 47 language tags, whose case does not
matter (RFC 5646 section 2.1.1: `EN`, `En-gb` and `en-GB` are one tag). Cédula matched them
case-sensitively against its catalogs: `ui_locales=EN` or `ES-419` was taken for a language it
does not have, so a portal asking for English in capitals got the sign-in and consent pages in
Spanish (and `en-US` in English). Tags are now matched without regard to case, at `/authorize`
and at `/end-session`, which share the choice (`infra.web.i18n.use_ui_locales`)."""

from __future__ import annotations

import re

import pytest

from tests.idp.oidc.conftest import (  # noqa: F401 - the fixtures
    Flow,
    authorize_url,
    citizen,
    oidc_app,
    register,
)


def _language(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize(("ui_locales", "spoken"), [("EN", "en"), ("En-GB", "en"), ("FR EN", "en"),
                                                     ("ES-419", "es"), ("en", "en")])
def test_the_consent_page_speaks_the_tag_whatever_its_case(client, register, citizen, ui_locales, spoken):  # noqa: F811
    agency = register()
    page = client.get(authorize_url(agency, Flow(), ui_locales=ui_locales, prompt="consent"))
    assert page.status_code == 200 and _language(page) == spoken, ui_locales


def test_the_sign_in_page_speaks_the_tag_whatever_its_case(oidc_app, register):  # noqa: F811
    agency = register()
    browser = oidc_app.test_client()  # nobody signed in
    response = browser.get(authorize_url(agency, Flow(), ui_locales="EN-us"))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert _language(browser.get(response.headers["Location"])) == "en"


def test_the_sign_out_confirmation_speaks_the_tag_whatever_its_case(client, citizen):  # noqa: F811
    page = client.get("/end-session?ui_locales=EN")
    assert page.status_code == 200 and _language(page) == "en"
