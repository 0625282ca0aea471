"""A document's title in the reader's language: the one home for it.

A sealed document says its title in the language it was issued in (the PDF, the signature's
reason and the stored `title` keep those words: they are what was signed). A document made from
a template has its title in every language of the catalogs too (`documents.<template>.title`),
so the pages, the verification report and the API can name it in the reader's language.
A document without a template (a citizen's own upload) keeps the title it was given.
"""

from __future__ import annotations

from signing.i18n import LANGUAGES, has_text, text


def title_key(template: str) -> str:
    """The message key of the title of the template named `template`."""
    return f"documents.{template}.title"


def language_of(locale: str | None) -> str:
    """The catalog language a reader of `locale` ("en", "en-GB", "es_419") reads; else the default."""
    primary = (locale or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else LANGUAGES[0]


def titles(template: str | None) -> dict[str, str]:
    """The title of `template` in each language of the catalogs; {} if it has none."""
    if not template or not has_text(title_key(template)):
        return {}
    return {language: text(title_key(template), language) for language in LANGUAGES}


def localized_title(*, template: str | None, issued_title: str, locale: str | None) -> str:
    """The title a reader of `locale` sees: the template's title in that language, else the
    title the document was issued with."""
    return titles(template).get(language_of(locale), issued_title)


__all__ = ["language_of", "localized_title", "title_key", "titles"]
