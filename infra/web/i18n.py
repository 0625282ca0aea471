"""Languages of the pages: Spanish by default, English, and any language added to the catalogs.

Messages are gettext catalogs, one per package and language (`infra.i18n.catalog`):
`<package>/translations/<lang>/LC_MESSAGES/messages.po`, keyed by message id:

    msgid "account.title"
    msgstr "Tu cuenta"

The language is the citizen's choice (the `lang` cookie, set by the switch on every page),
else the best match of Accept-Language, else the first configured language.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, g, has_request_context, redirect, request
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from infra.components import Slot
from infra.config import get_settings
from infra.i18n.catalog import Catalog, translations_dir

__all__ = ["CATALOG", "COOKIE", "Catalog", "catalog", "catalog_files", "current_language", "gettext",
           "init_app", "safe_next", "translate_or"]

COOKIE = "lang"

bp = Blueprint("i18n", __name__)


CATALOG: Slot[Catalog] = Slot("message catalog")


def catalog(app: Flask | None = None) -> Catalog:
    """The message catalog of `app` (default: the current application)."""
    return CATALOG.of(app)


def catalog_files(packages: Iterable[str]) -> list[Path]:
    """The `translations` folders of the given packages that have one (importlib.resources)."""
    return [folder for folder in map(translations_dir, packages) if folder.is_dir()]


def current_language() -> str:
    if not has_request_context():
        return catalog().languages[0]
    if "lang" not in g:
        languages = catalog().languages
        chosen = request.cookies.get(COOKIE)
        if chosen not in languages:
            chosen = request.accept_languages.best_match(languages) or languages[0]
        g.lang = chosen
    return str(g.lang)


def gettext(key: str, /, **params: Any) -> str:
    """The message `key` in the current language, with `{params}` filled in."""
    text = catalog().get(key, current_language())
    if text is None:
        return key
    return text.format(**params) if params else text


def translate_or(key: str, fallback: str, /, **params: Any) -> str:
    text = gettext(key, **params)
    return fallback if text == key else text


def _markup_gettext(key: str, /, **params: Any) -> Markup:
    # Catalog texts are trusted; parameters are escaped.
    text = catalog().get(key, current_language())
    if text is None:
        return Markup.escape(key)
    return Markup(text).format(**params) if params else Markup(text)  # noqa: S704 - catalog text is ours


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


@bp.get("/language/<lang>")
def choose_language(lang: str) -> WerkzeugResponse:
    """The visible language switch: remember the choice, go back to the page."""
    languages = catalog().languages
    response = redirect(safe_next(request.args.get("next")), code=303)
    if lang in languages:
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=get_settings().secure, httponly=True)
    return response


def init_app(app: Flask, packages: Iterable[str]) -> Catalog:
    """Load the catalogs of `infra` and of the given packages."""
    loaded = Catalog(list(get_settings(app)["i18n"]["languages"]))
    loaded.load_all(catalog_files(("infra", *packages)))
    CATALOG.install(app, loaded)
    app.jinja_env.globals.update(_=_markup_gettext, current_language=current_language,
                                 languages=loaded.languages)
    app.register_blueprint(bp)
    return loaded
