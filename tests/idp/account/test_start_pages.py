"""The enrolment page says what you need before you begin, and carries the other routes
(phone by QR, security key, in person) for a device that cannot keep a passkey itself."""

from __future__ import annotations

import re


def test_the_enrol_page_says_what_you_need_before_the_form(client):
    page = client.get("/enrol", headers={"Accept-Language": "en"}).get_data(as_text=True)
    need = page.index('id="enrol-need"')
    assert need < page.index('id="enrol-form"')
    assert '<a href="/help#need">' in page[need:page.index('id="enrol-form"')]
    assert "Your identity document" in page[need:]
    assert "At a service office, with your identity document, a registrar enrols you" in \
        page[need:page.index('id="enrol-form"')]


def test_the_routes_are_in_the_page_hidden_until_the_capability_check(client):
    for lang in ("es", "en"):
        page = client.get("/enrol", headers={"Accept-Language": lang}).get_data(as_text=True)
        section = re.search(r'<section id="enrol-routes"[^>]*>(.*?)</section>', page, re.S)
        assert section and " hidden>" in section.group(0)[:120]
        assert section.start() < page.index('id="enrol-form"')
        body = section.group(1)
        for route in ("route-phone", "route-key", "route-assisted"):
            assert f'id="{route}"' in body
        assert "QR" in body and 'href="/contact"' in body
        assert 'data-no-platform="' in body and 'data-no-webauthn="' in body


def test_the_sign_in_passkey_field_is_hidden_until_the_browser_offers_autofill(client):
    """Issue 19: the "Tu cuenta" box did nothing when typed in. It is now the passkey autofill
    anchor only, hidden unless the browser lists passkeys under it, and says so."""
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<div class="field" id="login-autofill" hidden>\s*<label for="login-username">'
                     r'Sus llaves de acceso guardadas</label>', page)
    assert "Tu cuenta" not in page
    assert "No hace falta escribir nada" in page


def test_the_spanish_name_of_the_dui_on_an_english_page_says_its_language(client):
    """WCAG 3.1.2: a screen reader read «Documento Único de Identidad» with an English voice."""
    page = client.get("/enrol", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '(<span lang="es">Documento Único de Identidad</span>)' in page
