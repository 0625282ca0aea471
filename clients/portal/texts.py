"""The portal's sentences, in Spanish and English, from its gettext catalogs
(clients/portal/translations)."""

from __future__ import annotations

from flask import request

from infra.i18n.catalog import Catalog, translations_dir

TEXTS: dict[str, dict[str, str]] = {"es": {}, "en": {}}


def _catalog() -> None:
    """Read the portal's gettext catalogs (clients/portal/translations) into TEXTS."""
    catalog = Catalog(list(TEXTS)).load_all([translations_dir("clients.portal")])
    for key, translations in catalog.messages.items():
        for lang, sentence in translations.items():
            TEXTS[lang][key] = sentence


_catalog()


# The language the citizen chose on the portal's switch (views.choose_language); else the browser's.
LANG_COOKIE = "portal_lang"


def language() -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in TEXTS:
        return chosen
    return request.accept_languages.best_match(["es", "en"]) or "es"


def text(key: str) -> str:
    return TEXTS[language()][key]


def text_in(lang: str, key: str) -> str:
    return TEXTS[lang][key]
