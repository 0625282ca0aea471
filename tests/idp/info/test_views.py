"""Help, privacy, accessibility and contact pages: linked from every page, filled in from
[organisation], in Spanish and English; a service without a contact does not start."""

from __future__ import annotations

import re

import pytest

from idp.app import create_app
from idp.info.views import organisation
from infra.config import ConfigError
from tests.conftest import settings_for

PAGES = ("/help", "/privacy", "/accessibility", "/contact", "/transparency")


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_linked_from_the_footer_of_every_page(client, path):
    for page in ("/", "/verify", "/login", *PAGES):
        html = client.get(page).get_data(as_text=True)
        footer = html[html.index('<footer'):]
        assert f'href="{path}"' in footer, (page, path)
        assert 'href="/verify"' in footer


def test_the_contact_page_says_who_runs_the_service_and_how_to_reach_them(backend, tmp_path):
    configured = create_app({**settings_for(backend, tmp_path), "organisation": {
        "name": "Agencia de Gobierno Electrónico", "email": "ayuda@gobierno.example",
        "phone": "+503 2222 0000", "address": "Calle 1, San Salvador", "hours": "8:00-16:00",
        "privacy_email": "datos@gobierno.example", "supervisory_authority": "Instituto de Acceso",
        "supervisory_authority_url": "https://acceso.example"}})
    client = configured.test_client()
    contact = client.get("/contact").get_data(as_text=True)
    assert "Agencia de Gobierno Electrónico" in contact
    assert 'href="mailto:ayuda@gobierno.example"' in contact and 'href="tel:+50322220000"' in contact
    assert "Calle 1, San Salvador" in contact and "8:00-16:00" in contact
    privacy = client.get("/privacy").get_data(as_text=True)
    assert "datos@gobierno.example" in privacy and 'href="https://acceso.example"' in privacy
    assert "ayuda@gobierno.example" in client.get("/accessibility").get_data(as_text=True)


def test_the_pages_read_in_english_too(client):
    client.set_cookie("lang", "en")
    assert "<h1>Accessibility statement</h1>" in client.get("/accessibility").get_data(as_text=True)
    assert "<h1>Privacy notice</h1>" in client.get("/privacy").get_data(as_text=True)
    client.set_cookie("lang", "es")
    assert "<h1>Declaración de accesibilidad</h1>" in client.get("/accessibility").get_data(as_text=True)


def test_home_links_the_verification_page_and_help(client):
    html = client.get("/").get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    assert re.search(r'<a class="button" href="/verify">', main)
    assert 'href="/help"' in main


@pytest.mark.parametrize("section", [{"name": "", "email": "x@example"}, {"name": "X", "email": ""},
                                     {"name": "X", "email": "x@example", "phone": 5}])
def test_a_service_nobody_can_contact_is_refused_at_start(section):
    with pytest.raises(ConfigError, match="organisation"):
        organisation({"organisation": section})
