"""The level of a citizen's identity has one name wherever a citizen reads about it. The account
calls its page «Nivel de seguridad de su identidad» / "How strong your identity is"; the help
page's section about it was «Niveles de confianza» / "Levels of assurance" (an eIDAS term of
art), the privacy notice kept «su nivel de confianza» / "your level of assurance", and the
signing refusal's button, «Subir mi nivel de seguridad» in Spanish, said "Raise my level of
assurance" in English (tests/idp/documents/test_signing_eligibility.py); a signature's check
(what the verification page says of a citizen's signature) said «nivel de garantía» /
"assurance level", and the demo portal's row "Level of assurance of the identity" where
its Spanish says «Nivel de seguridad de la identidad». A citizen told on one page about their
«nivel de confianza» finds no page of that name."""

from __future__ import annotations

import re

import pytest

from infra.web.i18n import catalog
from tests.test_catalog_templates import STAFF_PAGES, catalog_texts

OTHER_NAMES = {"es": re.compile(r"\bnivel(es)? de (confianza|garantía)\b", re.I),
               "en": re.compile(r"\blevels? of assurance\b|\bassurance levels?\b", re.I)}


@pytest.mark.parametrize("lang", sorted(OTHER_NAMES))
def test_no_citizen_text_gives_the_level_another_name(lang):
    other = {key: text[lang] for key, text in catalog_texts().items()
             if not key.startswith(STAFF_PAGES) and OTHER_NAMES[lang].search(text.get(lang, ""))}
    assert other == {}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_help_section_is_headed_with_the_name_of_the_page_it_explains(client, lang):
    client.set_cookie("lang", lang)
    html = client.get("/help").get_data(as_text=True)
    heading = re.search(r'<h2 id="levels">([^<]*)</h2>', html)
    assert heading, "the help page has its section on levels"
    assert heading.group(1) == catalog(client.application).get("assurance.title", lang)
