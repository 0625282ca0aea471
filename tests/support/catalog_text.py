"""A sentence of the message catalogs, as a test compares a page or an answer with it."""

from __future__ import annotations

from infra.web.i18n import catalog


def said(app, key: str, lang: str, **params: object) -> str:
    """The catalog's sentence `key` in `lang` (formatted with `params`); fails if it has none."""
    with app.app_context():
        text = catalog(app).get(key, lang)
    assert text is not None, key
    return text.format(**params) if params else text
