"""The citizen's download links said "(JSON)": jargon that tells a citizen neither what the file
is nor what it is for ("Descargar todos sus datos (JSON)", "Descargar su registro (JSON, con
firmas para comprobarlo)"). They now say in plain words that the file is for other programs or
services (the data) or for checking with a program that no one altered it (the signed log),
naming the format only after that."""

from __future__ import annotations

import html
import re

EXPORT = re.compile(r'<a (?:id="export-link" )?href="/account/export" download>([^<]*)</a>')
LOG = re.compile(r'<a id="log-download" href="[^"]+" download>([^<]*)</a>')
FOR_PROGRAMS = {"es": "programa", "en": "program"}


def _links(client, path: str, pattern: re.Pattern[str]) -> list[str]:
    page = client.get(path)
    assert page.status_code == 200, path
    return [html.unescape(text) for text in pattern.findall(page.get_data(as_text=True))]


def test_download_links_say_what_the_file_is_for(client, citizen):
    """`citizen`: enrolled, and so signed in, in `client` (on emptied tables: the session-wide
    `app` may already hold the default identity another test enrolled)."""
    for lang in ("es", "en"):
        _said_in(client, lang)


def _said_in(citizen, lang: str) -> None:
    citizen.set_cookie("lang", lang)
    links = (_links(citizen, "/account/details", EXPORT) + _links(citizen, "/account/log", EXPORT)
             + _links(citizen, "/account/log", LOG))
    assert len(links) >= 3, links
    for text in links:
        assert "(JSON" not in text, text  # the format named alone, as the first thing said
        assert FOR_PROGRAMS[lang] in text.lower(), text
