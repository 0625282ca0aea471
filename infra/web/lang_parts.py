"""Language of parts (WCAG 2.2 SC 3.1.2): text someone else supplied (an agency's name or
purpose, clients.registry.localized.Tagged) shows in the language it was written in, which need
not be the page's; the page marks it with `lang` so a screen reader reads it with the right
rules. Duck-typed: a value with a `lang` attribute (a BCP 47 tag, or None for "untagged": the
operator's `i18n.untagged_language`); any other value is the page's language.

Templates: `<dd{{ agency.purpose|lang_of }}>{{ agency.purpose }}</dd>` (an attribute on an
element of its own: `alt` text, table cells) or `{{ agency.name|in_lang }}` (a `<span lang>`
inside a sentence of the page's language, also as a parameter of `_()`)."""

from __future__ import annotations

from flask import Flask, current_app
from markupsafe import Markup, escape

from infra.config import ConfigError, get_settings
from infra.web.i18n import current_language


def language_of(value: object) -> str | None:
    """The language `value` is written in when it says (`lang`), else None: the page's."""
    if not hasattr(value, "lang"):
        return None
    lang = getattr(value, "lang", None)
    if isinstance(lang, str) and lang:
        return lang
    return str(get_settings(current_app)["i18n"]["untagged_language"])


def foreign_language(value: object) -> str | None:
    """`language_of(value)` when its primary language is not the page's, else None."""
    lang = language_of(value)
    if lang is None:
        return None
    page = current_language().replace("_", "-").lower().split("-")[0]
    return None if lang.lower().split("-")[0] == page else lang


def lang_of(value: object) -> Markup:
    """` lang="xx"` for the element showing `value` when it is not in the page's language."""
    lang = foreign_language(value)
    return Markup(' lang="{}"').format(lang) if lang else Markup("")


def in_lang(value: object) -> Markup:
    """`value`, escaped, in a `<span lang="xx">` when it is not in the page's language."""
    if value is None:
        return Markup("")
    lang = foreign_language(value)
    return Markup('<span lang="{}">{}</span>').format(lang, value) if lang else escape(value)


def init_app(app: Flask) -> None:
    """Install the filters (after `infra.web.i18n`); check `[i18n] untagged_language`."""
    untagged = get_settings(app)["i18n"]["untagged_language"]
    if not isinstance(untagged, str) or not untagged.strip():
        raise ConfigError(f"i18n.untagged_language must be a language tag (e.g. \"es\"), got {untagged!r}")
    app.jinja_env.filters.update(lang_of=lang_of, in_lang=in_lang)
