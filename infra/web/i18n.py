"""Languages of the pages: Spanish by default, English, and any language added to the catalogs.

Messages are gettext catalogs, one per package and language (`infra.i18n.catalog`):
`<package>/translations/<lang>/LC_MESSAGES/messages.po`, keyed by message id:

    msgid "account.title"
    msgstr "Tu cuenta"

The language is the citizen's choice (the `lang` cookie, set by the switch on every page),
else the best match of Accept-Language, else the first configured language; a page's script
names its page's language (`X-Page-Language`, `page_language`), which comes first: this is the one
locale selector, used for messages and for dates and numbers alike. A caller that knows
better for one request says so with `use_language` (the sign-out page, from an agency's OIDC
`ui_locales`); the selector keeps its answer on `flask.g`, which nothing else touches.

Dates and times are written in that language (CLDR, `infra.i18n.Formats`) and in the citizen's
time zone: the `tz` cookie (an IANA name, set by `js/timezone.js` on the pages that show times),
else the `[i18n] timezone` setting. Templates use the filters `|date` (`17 de mayo de 1990`),
`|datetime` (`3 may 2025, 14:05`), `|month` (`mayo de 2025`) and `|number`; while the zone is
only the setting's, times carry their offset (`(GMT-06:00)`) so that nobody misreads them.
Python code asks `formats()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, has_request_context, redirect, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response as WerkzeugResponse

from infra.components import Slot
from infra.config import ConfigError, get_settings
from infra.i18n.catalog import Catalog, translations_dir
from infra.i18n.formats import Formats, UnknownZone, Width, zone
from infra.web.cookies import flow_cookie_name
from infra.web.csrf import CsrfError, validate_csrf

__all__ = ["CATALOG", "COOKIE", "PAGE_LANGUAGE_HEADER", "TIME_ZONE", "TZ_COOKIE", "Catalog", "Formats", "catalog",
           "catalog_files", "chosen_language", "current_language", "current_zone", "formats", "gettext", "init_app",
           "page_language", "safe_next", "translate_or", "use_language", "use_ui_locales"]

COOKIE = "lang"
# The language switch of a page answering a form: a button of a form sending the typed fields
# again (no JavaScript), so that the page comes back in that language with what was typed.
SWITCH_FIELD = "switch_language"
TZ_COOKIE = "tz"
# The language of the page whose script sends the request (`js/webauthn.js`: the page's
# `<html lang>`). Only the pages' scripts send it; a browser's Accept-Language cannot say it.
PAGE_LANGUAGE_HEADER = "X-Page-Language"

bp = Blueprint("i18n", __name__)


def cookie_name(base: str) -> str:
    """`COOKIE` or `TZ_COOKIE` as this deployment names it: `__Host-` with an https issuer
    (RFC 6265bis section 4.1.3.2, as the session, CSRF and flow cookies, `infra.web.cookies`),
    so that no other host of the domain can plant the language of a consent page or the zone
    its times are shown in; the plain name over http (development)."""
    return flow_cookie_name(base, secure=get_settings().secure)


def chosen_language() -> str | None:
    """The citizen's own choice of language (the switch's cookie), as sent; None: none."""
    return request.cookies.get(cookie_name(COOKIE))


CATALOG: Slot[Catalog] = Slot("message catalog")
TIME_ZONE: Slot[tzinfo] = Slot("default time zone ([i18n] timezone)")


def catalog(app: Flask | None = None) -> Catalog:
    """The message catalog of `app` (default: the current application)."""
    return CATALOG.of(app)


def catalog_files(packages: Iterable[str]) -> list[Path]:
    """The `translations` folders of the given packages that have one (importlib.resources)."""
    return [folder for folder in map(translations_dir, packages) if folder.is_dir()]


def page_language() -> str | None:
    """The language of the page a script calls from (the `X-Page-Language` header), when a
    catalog has it (or its primary language), else None. The page may speak another language
    than the `lang` cookie (an agency's `ui_locales` chose it): the sentences its script shows
    from a JSON answer must be in the page's language, so this one comes before the cookie."""
    if not has_request_context():
        return None
    tag = request.headers.get(PAGE_LANGUAGE_HEADER, "").strip()
    languages = catalog().languages
    for candidate in (tag, tag.split("-")[0]):
        if candidate and candidate in languages:
            return candidate
    return None


def switched_language() -> str | None:
    """The language chosen by the switch of a page answering a form (`SWITCH_FIELD`, a button
    of the form that sends the page's typed fields again, with its CSRF token: see base.html),
    when a catalog has it; else None. A forged form (no valid token) switches nothing."""
    if request.method != "POST" or request.mimetype != "application/x-www-form-urlencoded":
        return None
    try:
        chosen = request.form.get(SWITCH_FIELD)
    except HTTPException:  # a body refused (too large, a NUL, not UTF-8): its own answer, in
        return None        # the language the rest of the request says, tells the citizen so
    if not chosen or chosen not in catalog().languages:
        return None
    try:
        validate_csrf()
    except CsrfError:
        return None
    g.language_switched = chosen
    return chosen


def current_language() -> str:
    if not has_request_context():
        return catalog().languages[0]
    if "lang" not in g:
        languages = catalog().languages
        chosen = switched_language() or page_language() or chosen_language()
        if chosen not in languages:
            chosen = request.accept_languages.best_match(languages) or languages[0]
        g.lang = chosen
    return str(g.lang)


def use_language(language: str) -> None:
    """Speak `language` for the rest of this request, over the cookie and Accept-Language: the
    caller's explicit choice (OIDC `ui_locales`, `idp.logout.end_session`). `ValueError` for a
    language the catalogs do not have; outside a request there is nothing to choose for."""
    if language not in catalog().languages:
        raise ValueError(f"no catalog speaks {language!r}; expected one of {catalog().languages}")
    if has_request_context():
        g.lang = language


def use_ui_locales(ui_locales: str | None) -> None:
    """OIDC Core 1.0 section 3.1.2.1 `ui_locales` (space-separated BCP 47 tags, preferred first):
    speak the first one a catalog has (or its primary language) for the rest of this request;
    none of them, or no tags: the usual choice stands. The case of a tag does not matter
    (RFC 5646 section 2.1.1: `EN-gb` is `en-GB`)."""
    languages = {language.lower(): language for language in catalog().languages}
    for tag in (ui_locales or "").lower().split():
        for candidate in (tag, tag.split("-")[0]):
            if candidate in languages:
                use_language(languages[candidate])
                return


def current_zone() -> tuple[tzinfo, bool]:
    """The citizen's time zone, and whether it is theirs (the `tz` cookie) or the setting's."""
    default = TIME_ZONE.of()
    if not has_request_context():
        return default, False
    if "tz" not in g:
        chosen: tuple[tzinfo, bool] = (default, False)
        name = request.cookies.get(cookie_name(TZ_COOKIE))
        if name:
            try:
                chosen = (zone(name), True)
            except UnknownZone:
                pass  # a stale or forged cookie: the setting's zone, with offsets shown
        g.tz = chosen
    zone_info, own = g.tz
    return zone_info, bool(own)


def formats() -> Formats:
    """Dates, times and numbers in the current language and time zone."""
    return Formats.of(current_language(), current_zone()[0])


def _shows_time() -> None:
    if has_request_context():
        g.shows_times = True


def _moment(value: date | datetime | str) -> date | datetime:
    """A date or moment; an ISO 8601 string (a value read from JSON) is parsed, never shown raw."""
    if not isinstance(value, str):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed.date() if len(value) == 10 else parsed


def _date_filter(value: date | datetime | str | None, width: Width = "long") -> str:
    """`{{ citizen.birthdate|date }}` -> `17 de mayo de 1990`; a moment gives its local date."""
    if value is None or value == "":
        return ""
    day = _moment(value)
    if isinstance(day, datetime):
        _shows_time()
    return formats().date(day, width)


def _datetime_filter(value: datetime | str | None, width: Width = "medium") -> str:
    """`{{ entry.at|datetime }}` -> `3 may 2025, 14:05` in the citizen's zone."""
    if value is None or value == "":
        return ""
    moment = _moment(value)
    if not isinstance(moment, datetime):
        return _date_filter(moment, width)
    _shows_time()
    zone_info, own = current_zone()
    if moment.year in (MINYEAR, MAXYEAR):
        # A moment at the calendar's ends (a time written in a file) may not move into a zone
        # without overflowing: shown in UTC, its offset written.
        zone_info, own = UTC, False
    local = Formats.of(current_language(), zone_info)
    text = local.datetime(moment, width)
    return text if own else f"{text} ({local.offset(moment)})"


def _month_filter(value: date | datetime | str | None) -> str:
    """`{{ month|month }}` -> `mayo de 2025`."""
    return "" if value is None or value == "" else formats().month(_moment(value))


def _number_filter(value: int | float) -> str:
    return formats().number(value)


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


def page_address() -> str:
    """This request's address as a link to it again: its path (rooted at one "/": never a
    "//host" a browser would take for another site) and its query as sent. A query that is not
    UTF-8 is left off (werkzeug's `Request.full_path` raises UnicodeDecodeError for it: a page
    that linked to itself, an error page included, became a 500)."""
    path = "/" + request.path.lstrip("/\\")
    try:
        query = request.query_string.decode()
    except UnicodeDecodeError:
        return path
    return f"{path}?{query}" if query else path


def switch_return() -> str:
    """Where the language switch brings the visitor back: this page with its query; on a page
    answering a form (a POST, which the switch's GET cannot repeat: a 405 page) the nearest
    page at or above its path (`/operator/agencies/x/scopes` -> `/operator/agencies/x`)."""
    if request.method in ("GET", "HEAD"):
        return page_address()
    adapter = current_app.url_map.bind("localhost")
    path = request.path.rstrip("/")
    while path:
        try:
            adapter.match(path, method="GET")
            return path
        except RequestRedirect:
            return path
        except HTTPException:
            path = path.rsplit("/", 1)[0]
    return "/"


@bp.get("/language/<lang>")
def choose_language(lang: str) -> WerkzeugResponse:
    """The visible language switch: remember the choice, go back to the page."""
    languages = catalog().languages
    response = redirect(safe_next(request.args.get("next")), code=303)
    if lang in languages:
        response.set_cookie(cookie_name(COOKIE), lang, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=get_settings().secure, httponly=True)
    return response


def init_app(app: Flask, packages: Iterable[str]) -> Catalog:
    """Load the catalogs of `infra` and of the given packages; install the date filters."""
    settings = get_settings(app)["i18n"]
    languages = settings["languages"]
    if not isinstance(languages, list) or not languages or not all(isinstance(code, str) for code in languages):
        # none: every page failed with an IndexError; a number: Babel's TypeError at start
        raise ConfigError(f"i18n.languages must list one language code or more, the default first "
                          f"(e.g. [\"es\", \"en\"]), got {languages!r}")
    loaded = Catalog(list(languages))
    loaded.load_all(catalog_files(("infra", *packages)))
    for language in loaded.languages:
        try:
            Formats.of(language)  # a language without CLDR data stops the start, not a page
        except ValueError as exc:
            raise ConfigError(f"i18n.languages must name languages Babel has data for: {exc}") from None
    CATALOG.install(app, loaded)
    try:
        TIME_ZONE.install(app, zone(str(settings["timezone"])))
    except UnknownZone as exc:
        raise ConfigError(f"i18n.timezone must be an IANA time zone name: {exc}") from None
    app.jinja_env.globals.update(_=_markup_gettext, current_language=current_language, switch_return=switch_return,
                                 page_address=page_address,
                                 switch_field=SWITCH_FIELD,
                                 languages=loaded.languages,
                                 shows_times=lambda: bool(g.get("shows_times")))
    app.jinja_env.filters.update(date=_date_filter, datetime=_datetime_filter, month=_month_filter,
                                 number=_number_filter)
    app.register_blueprint(bp)

    @app.after_request
    def _remember_switch(response: WerkzeugResponse) -> WerkzeugResponse:
        # The switch of a page answering a form chose the language: remembered as the link's.
        chosen = g.get("language_switched")
        if chosen:
            response.set_cookie(cookie_name(COOKIE), chosen, max_age=365 * 24 * 3600, samesite="Lax",
                                secure=get_settings().secure, httponly=True)
        return response

    return loaded
