"""/developers and /developers/api: the guide and the API reference, server-rendered, CSP-clean,
in Spanish and English, linked from the footer of every page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from idp.developers.reference import operations
from infra.openapi import build

SVGS = ("sign-in-es.svg", "sign-in-en.svg", "sign-in-es-dark.svg", "sign-in-en-dark.svg", "mark.svg")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if "style" in attributes or any(name.startswith("on") for name in attributes):
            self.inline.append(f"{tag} {attrs}")
        if tag == "script" and not attributes.get("src"):
            self.inline.append("inline script")
        if tag == "style":
            self.inline.append("style element")


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.mark.parametrize("path", ["/developers", "/developers/api"])
def test_pages_are_csp_clean_and_every_link_works(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "script-src" in response.headers["Content-Security-Policy"]
    page = _parse(response.get_data(as_text=True))
    assert page.inline == []
    for href in page.links:
        if href.startswith("#"):
            assert href[1:] in page.ids, href
        elif href.startswith("/"):
            target = href.split("#")[0]
            assert client.get(target, follow_redirects=True).status_code == 200, href


def test_every_openapi_operation_appears_with_its_responses(client, fresh_app):
    html = client.get("/developers/api").get_data(as_text=True)
    with fresh_app.app_context():
        document = build(fresh_app)
    assert len(document["paths"]) > 20
    for path in document["paths"]:
        assert f"{path}</code>" in html.replace("&#39;", "'"), path
    for op in operations(document):
        assert f'id="{op.anchor}"' in html
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert "/api/documents" in html and "insufficient_scope" in html


def test_headings_follow_the_language(client):
    client.set_cookie("lang", "en")
    english = client.get("/developers/api").get_data(as_text=True)
    assert "<h1>API reference</h1>" in english and ">Responses<" in english
    client.set_cookie("lang", "es")
    spanish = client.get("/developers/api").get_data(as_text=True)
    assert "<h1>Referencia de la API</h1>" in spanish and ">Respuestas<" in spanish
    guide = client.get("/developers").get_data(as_text=True)
    assert "Guía para desarrolladores de organismos" in guide


def test_the_guide_is_the_markdown_in_docs(client):
    html = client.get("/developers").get_data(as_text=True)
    assert '<h2 id="3-authenticate-your-portal-with-private-key-jwt">' in html
    assert html.count("<h1") == 1  # the page's own; the Markdown's title is left out
    assert "openssl ecparam -name prime256v1 -genkey -noout -out registro-private.pem" in html
    assert "acr_values=http://eidas.europa.eu/LoA/substantial" in html
    assert "Entrar con Cédula" in html and "Sign in with Cédula" in html


@pytest.mark.parametrize("page", ["/", "/help", "/verify", "/developers/api"])
def test_the_footer_of_every_page_links_the_guide(client, page):
    html = client.get(page).get_data(as_text=True)
    assert 'href="/developers"' in html[html.index("<footer"):]


@pytest.mark.parametrize("name", SVGS)
def test_button_assets_are_served_and_labelled(client, name):
    response = client.get(f"/static/brand/{name}")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "<script" not in svg and not re.search(r"\son\w+=", svg)
    if name.startswith("sign-in-es"):
        assert 'aria-label="Entrar con Cédula"' in svg
    elif name.startswith("sign-in-en"):
        assert 'aria-label="Sign in with Cédula"' in svg


class _Languages(HTMLParser):
    """The text of <main> outside any element marked lang="en" (WCAG 3.1.2 language of parts)."""

    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "wbr", "source"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.in_main = False
        self.outside: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if tag not in self.VOID:
            self.stack.append(dict(attrs).get("lang"))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()
        if tag == "main":
            self.in_main = False

    def handle_data(self, data):
        english = next((lang for lang in reversed(self.stack) if lang), None) == "en"
        if self.in_main and not english and data.strip():
            self.outside.append(data.strip())


@pytest.mark.parametrize("path", ["/developers", "/developers/api"])
def test_the_english_guide_is_marked_english_on_spanish_pages(client, fresh_app, path):
    client.set_cookie("lang", "es")
    html = client.get(path).get_data(as_text=True)
    assert '<html lang="es"' in html
    page = _Languages()
    page.feed(html)
    outside = " ".join(page.outside)
    # The chrome is Spanish and says why the rest is English.
    assert "inglés" in outside
    with fresh_app.app_context():
        document = build(fresh_app)
    english = [op.summary for op in operations(document) if op.summary]
    english += ["Register your portal", "Sign in with Cédula", "private_key_jwt"]
    for words in english:
        assert words not in outside.replace("&#39;", "'"), words
