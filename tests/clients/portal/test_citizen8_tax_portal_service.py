"""The tax agency's demo portal names its own step-up service, not the civil registry's.

Before: the Ministerio de Hacienda portal (theme "tax", `cedula demo` on :8002) offered
"Certificación de datos registrales" / "Certified register data" in its menu and as the page's
title, the civil registry's service: a citizen on the tax portal was asked to raise their level
for a service of another agency."""

from __future__ import annotations

import re

import pytest

from clients.portal.app import create_portal
from clients.portal.config import PortalConfig
from clients.portal.texts import text_in


def _portal(name: str, theme: str):
    return create_portal(PortalConfig(name=name, base_url="https://portal.example.gov", issuer="http://cedula.test",
                                      client_id="portal", client_secret="secret", theme=theme))


def _heading_and_menu(html: str) -> tuple[str, str]:
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S)
    menu = re.search(r'<li><a href="/level">(.*?)</a></li>', html, re.S)
    assert heading and menu
    return heading.group(1).strip(), menu.group(1).strip()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_citizen8_the_tax_portal_names_its_own_service(lang):
    page = _portal("Ministerio de Hacienda", "tax").test_client().get(
        "/level", headers={"Accept-Language": lang}).get_data(as_text=True)
    heading, menu = _heading_and_menu(page)
    assert heading == menu == text_in(lang, "level_title_tax")
    assert text_in(lang, "level_title") not in page


@pytest.mark.parametrize("lang", ["es", "en"])
def test_citizen8_the_registry_portal_keeps_its_service(lang):
    page = _portal("Registro Civil", "registry").test_client().get(
        "/level", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert _heading_and_menu(page) == (text_in(lang, "level_title"), text_in(lang, "nav_level"))
