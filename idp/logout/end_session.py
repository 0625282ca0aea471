"""The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0, sections 2 and 3).

An agency sends the citizen here to leave: `id_token_hint` (an ID token this provider issued to
it, expired ones too), `client_id`, `post_logout_redirect_uri`, `state`, `ui_locales`, by GET or
form POST. A hint that does not verify is refused (as node oidc-provider does), with a page
that sends the citizen to their account to sign out. With a valid hint naming this browser's
session, the session ends at once; without one (missing, or another session), the citizen is
asked first. The citizen goes back to the agency only at a `post_logout_redirect_uri`
registered for it, exactly.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, current_app, redirect, render_template, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

import keys
from clients.registry import Client, ClientNotFound, agency_name, find_client
from clients.registry.services import agency_names
from idp.logout.backchannel import agencies_by_sid
from idp.logout.current import get_logout
from idp.logout.errors import InvalidHint, LogoutRefused
from idp.oidc.current import provider
from idp.oidc.subjects import session_id
from idp.oidc.tokens import ID_TOKEN_ALGS, ID_TOKEN_TYP
from idp.sessions import SsoSession, current_session, end_session, session_policy
from infra.config import get_settings
from infra.db import get_db
from infra.store import get_store
from infra.web.caching import no_store
from infra.web.cookies import read_flow_cookie, set_flow_cookie
from infra.web.csrf import validate_csrf
from infra.web.i18n import catalog, current_language, use_language, use_ui_locales
from infra.web.i18n import gettext as _

bp = Blueprint("end_session", __name__)

PENDING = "logout:request:"
# The confirmation of a pending request again, by its id (/end-session?request=), where its
# language switch leads back (a new route would be a new page: it is the same one).
PENDING_PATH = "/end-session"
PENDING_PARAMETER = "request"
PARAMETERS = ("id_token_hint", "logout_hint", "client_id", "post_logout_redirect_uri", "state",
              "ui_locales")
LIMITS = {"id_token_hint": 16384, "state": 2048, "post_logout_redirect_uri": 2048,
          "client_id": 64, "logout_hint": 256, "ui_locales": 256}
# Clock skew allowed on the hint's iat.
IAT_LEEWAY = 30
# Section 2: "the OP SHOULD accept ID Tokens ... even when the exp time has passed": any age
# (as the /authorize hint, OIDC Core 3.1.2.1), signed with a key this provider still publishes.
HINT_LEEWAY = 10 * 365 * 86_400


@dataclass(frozen=True)
class LogoutRequest:
    """A checked logout request: whom to send back where, and which session the hint names."""

    client_id: str | None = None
    client_name: str | None = None
    redirect_uri: str | None = None  # a registered post_logout_redirect_uri of client_id
    state: str | None = None
    hint_sid: str | None = None      # set only when id_token_hint verified
    ui_locales: str | None = None


@dataclass(frozen=True)
class Hint:
    audience: str | None
    sid: str | None


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name) or []
    if len(values) > 1:
        raise LogoutRefused("invalid_request", f"{name} was given {len(values)} times; give it once")
    value = values[0] if values else None
    if value is not None and len(value) > LIMITS[name]:
        raise LogoutRefused("invalid_request", f"{name} is longer than {LIMITS[name]} characters")
    return value or None


def verify_hint(token: str, *, issuer: str, max_expired_seconds: int, now: float) -> Hint:
    """Section 2: the hint must be an ID token this provider signed (signature, `iss`, `typ`
    JWT: not a logout token, an access token or another JWT it signed), InvalidHint if not. It
    may have expired: then it still names the agency, and its `sid` counts only while a session
    could still be open (expired by at most `max_expired_seconds`, the longest an SSO session
    lives)."""
    try:
        verified = keys.verify_jwt(token, algorithms=ID_TOKEN_ALGS, issuer=issuer, typ=ID_TOKEN_TYP,
                                   leeway=HINT_LEEWAY, require=("iss", "sub", "aud", "iat"))
    except keys.InvalidJwt as exc:
        raise InvalidHint(f"id_token_hint is not an ID token this provider issued ({exc})") from None
    claims = verified.claims
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool) or iat > now + IAT_LEEWAY:
        raise InvalidHint(f"id_token_hint has an iat in the future or not a number: {iat!r}")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    audience: str | None
    if len(audiences) == 1 and isinstance(audiences[0], str):
        audience = audiences[0]
    else:  # OIDC Core 2: with several audiences the client is `azp`
        azp = claims.get("azp")
        audience = azp if isinstance(azp, str) and azp in audiences else None
    exp = claims.get("exp")
    recent = not isinstance(exp, int | float) or exp + max_expired_seconds >= now
    sid = claims.get("sid")
    return Hint(audience=audience, sid=sid if isinstance(sid, str) and recent else None)


def _client(session: Session, client_id: str) -> Client | None:
    try:
        return find_client(session, client_id)
    except ClientNotFound:
        return None


def check(session: Session, params: Mapping[str, list[str]], *, issuer: str,
          max_expired_seconds: int, now: float) -> LogoutRequest:
    """Sections 2 and 3: the checks, in order; raises LogoutRefused for a request not to act on."""
    values = {name: _single(params, name) for name in PARAMETERS}
    hint = None
    if values["id_token_hint"]:
        hint = verify_hint(values["id_token_hint"], issuer=issuer,
                           max_expired_seconds=max_expired_seconds, now=now)
    client_id = values["client_id"]
    if hint is not None and hint.audience is not None:
        if client_id is not None and client_id != hint.audience:
            raise LogoutRefused("invalid_request",
                                f"id_token_hint was issued to {hint.audience!r}, not to client_id "
                                f"{client_id!r}")
        client_id = hint.audience
    client = _client(session, client_id) if client_id else None
    if values["client_id"] and client is None:
        raise LogoutRefused("invalid_client", f"client_id {values['client_id']!r} is not a registered agency")
    redirect_uri = values["post_logout_redirect_uri"]
    if redirect_uri is not None:
        if client is None:
            raise LogoutRefused("invalid_request", "post_logout_redirect_uri needs a client_id or a "
                                "valid id_token_hint, to check that it is registered")
        registered = client.client_metadata.get("post_logout_redirect_uris") or []
        if redirect_uri not in registered:
            raise LogoutRefused("invalid_request", f"post_logout_redirect_uri {redirect_uri!r} is not "
                                f"registered for {client.client_id!r} (it must match exactly)")
    return LogoutRequest(
        client_id=client.client_id if client else None,
        client_name=agency_name(client, current_language()) if client else None,
        redirect_uri=redirect_uri, state=values["state"] if redirect_uri else None,
        hint_sid=hint.sid if hint is not None and client is not None else None,
        ui_locales=values["ui_locales"])


# --- the pages ------------------------------------------------------------------------------




def _allow_form_action(response: Response, uri: str) -> None:
    # The confirmation form's post ends in a redirect to the agency: form-action must allow it.
    parts = urlsplit(uri)
    csp = str(get_settings()["security"]["content_security_policy"])
    response.headers["Content-Security-Policy"] = csp.replace(
        "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")


def _agencies_of(sso: SsoSession | None) -> dict[str, str]:
    """client_id -> name (in the citizen's language) of the agencies the citizen signed in to
    through `sso` (those holding grants from it): the ones single logout signs them out of."""
    if sso is None:
        return {}
    with get_db(current_app).read() as db:
        found = agencies_by_sid(db, citizen_id=sso.citizen_id, sids=[sso.sid])
    return {c.client_id: agency_name(c, current_language()) for c in found.get(sso.sid, [])}


def _sorted_names(names: Iterable[str]) -> list[str]:
    return sorted(set(names), key=str.casefold)


def agencies_signed_out(sso: SsoSession | None) -> list[str]:
    """The names of the agencies single logout signs the citizen out of, for the page."""
    return _sorted_names(_agencies_of(sso).values())


SIGNED_OUT = "logout:signed-out:"
# How long the signed-out page can be reloaded (or its language switched) with its list.
SIGNED_OUT_SECONDS = 600
# The list is for the browser that signed out only: the link's `r` names it, this cookie (set
# with the redirect, sent only to /signed-out) proves the browser is that one. A link copied,
# shared or opened elsewhere shows the plain page: it never tells who was signed in where.
# With an https issuer it is `__Host-` (Path=/), as every flow cookie (`infra.web.cookies`).
SIGNED_OUT_COOKIE = "cedula_signed_out"


def _browser_digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


def _signed_out_record(sso: SsoSession | None, lang: str | None = None) -> tuple[str, str]:
    """Keep what the signed-out page shows (the agencies of `sso`; `lang`, the language an
    agency's ui_locales or the choice on its confirmation made the sign-out speak, which the
    page would lose: without it, the `lang` cookie or the browser's languages) for the browser
    that signed out: (the link's `r`, the browser nonce)."""
    token, nonce = secrets.token_urlsafe(18), secrets.token_urlsafe(24)
    record = {"agencies": _agencies_of(sso), "browser": _browser_digest(nonce), "lang": lang}
    get_store(current_app).set(SIGNED_OUT + token, json.dumps(record).encode(), SIGNED_OUT_SECONDS)
    return token, nonce


def _bind_browser(response: BaseResponse, nonce: str) -> None:
    set_flow_cookie(response, SIGNED_OUT_COOKIE, nonce, max_age=SIGNED_OUT_SECONDS, path="/signed-out")


def _signed_out_link(token: str) -> str:
    return "/signed-out?" + urlencode({"r": token})


def signed_out_redirect(sso: SsoSession | None) -> BaseResponse:
    """A 303 to the signed-out page that lists the agencies of `sso`; call it before ending
    the session (the citizen's own sign-out: /logout, or this device on the sessions page)."""
    token, nonce = _signed_out_record(sso)
    response = redirect(_signed_out_link(token), code=303)
    _bind_browser(response, nonce)
    return no_store(response)


def _record(raw: bytes | None, nonce: str | None) -> dict[str, object] | None:
    if raw is None or not nonce:
        return None
    try:
        record = json.loads(raw)
        expected = record["browser"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(record, dict) or not hmac.compare_digest(str(expected), _browser_digest(nonce)):
        return None
    return record


def signed_out_list(raw: bytes | None, *, nonce: str | None) -> dict[str, str] | None:
    """The agencies a sign-out recorded (client_id to name), for the browser holding its nonce;
    None for any other browser, a made-up or expired link (pure: the view reads the store and
    the cookie)."""
    record = _record(raw, nonce)
    agencies = record.get("agencies") if record is not None else None
    if not isinstance(agencies, dict):
        return None
    return {str(client_id): str(name) for client_id, name in agencies.items()}


def signed_out_language(raw: bytes | None, *, nonce: str | None) -> str | None:
    """The language the sign-out spoke (or the citizen chose on its page since), for the browser
    that signed out only: another one reads the plain page in its own language."""
    record = _record(raw, nonce)
    lang = record.get("lang") if record is not None else None
    return lang if isinstance(lang, str) else None


def choose_signed_out_language(lang: str, token: str) -> None:
    """The language switch on the signed-out page (`idp.oidc.language_choice.follow`): the
    page speaks the language chosen from now on, over the one the sign-out spoke."""
    store = get_store(current_app)
    key = SIGNED_OUT + token[:64]
    raw = store.get(key)
    if raw is None:
        return
    try:
        record = json.loads(raw)
    except ValueError:
        return
    if isinstance(record, dict) and record.get("lang") not in (None, lang):  # else: the cookie
        store.set(key, json.dumps({**record, "lang": lang}).encode(), SIGNED_OUT_SECONDS)


@bp.get("/signed-out")
def signed_out_page() -> Response:
    """Where the citizen's own sign-out ends: what ended, and at which agencies (to the browser
    that signed out, and only while it is not signed in again), in the language it spoke."""
    raw = get_store(current_app).get(SIGNED_OUT + request.args.get("r", "")[:64])
    nonce = (read_flow_cookie(SIGNED_OUT_COOKIE) or "")[:64]
    kept = signed_out_list(raw, nonce=nonce)
    use_ui_locales(signed_out_language(raw, nonce=nonce))
    shown = kept is not None and current_session() is None
    agencies: list[str] = []
    if shown and kept:  # names again in the language the page is read in now
        with get_db(current_app).read() as db:
            agencies = _sorted_names({**kept, **agency_names(db, kept, current_language())}.values())
    page = render_template("logout/signed_out.html", client_name=None, signed_out=shown,
                           agencies=agencies)
    return no_store(Response(page, mimetype="text/html"))


def _finish(done: LogoutRequest, *, signed_out: bool, sso: SsoSession | None = None) -> BaseResponse:
    """Section 3: back to the agency with `state`, or this provider's own page, which lists
    the agencies the citizen was signed out of. Its language switch leads to the signed-out
    page (reloadable, in the language chosen, with the list for this browser), not back to the
    request, whose ui_locales would speak over the choice and whose session is gone."""
    if done.redirect_uri:
        extra = urlencode({"state": done.state}) if done.state else ""
        separator = "&" if urlsplit(done.redirect_uri).query else "?"
        return no_store(redirect(done.redirect_uri + (separator + extra if extra else ""), code=303))
    spoken = current_language() if done.ui_locales else None
    token, nonce = _signed_out_record(sso, spoken) if signed_out else ("", "")
    page = render_template("logout/signed_out.html", client_name=done.client_name, signed_out=signed_out,
                           agencies=agencies_signed_out(sso) if signed_out else [],
                           language_return=_signed_out_link(token) if token else "/signed-out")
    response = no_store(Response(page, mimetype="text/html"))
    if nonce:
        _bind_browser(response, nonce)
    return response


def _refused(exc: LogoutRefused) -> Response:
    invalid_hint = isinstance(exc, InvalidHint)
    intro = _("logout.refused.invalid_hint") if invalid_hint else _("logout.refused.intro")
    page = render_template("logout/refused.html", error=exc.error, description=exc.description,
                           intro=intro, to_account=invalid_hint)
    return no_store(Response(page, status=exc.status, mimetype="text/html"))


@bp.route("/end-session", methods=["GET", "POST"])
def end_session_endpoint() -> BaseResponse:
    """RP-Initiated Logout 1.0, section 2 (GET and form POST); with only `request` (this
    provider's own, on its confirmation's language switch), that confirmation again."""
    source = request.args if request.method == "GET" else request.form
    if request.method == "GET" and PENDING_PARAMETER in source and not any(n in source for n in PARAMETERS):
        return _asked_again(source.get(PENDING_PARAMETER, ""))
    params = {name: source.getlist(name) for name in PARAMETERS}
    ui_locales = params.get("ui_locales")
    use_ui_locales(ui_locales[0] if ui_locales else None)
    sessions = session_policy()
    try:
        with get_db(current_app).read() as session:
            checked = check(session, params, issuer=get_settings().issuer,
                            max_expired_seconds=sessions.absolute_seconds, now=time.time())
    except LogoutRefused as exc:
        return _refused(exc)
    sso = current_session()
    if sso is None:
        return _finish(checked, signed_out=False)
    if checked.hint_sid is not None and checked.client_id is not None and checked.hint_sid in (session_id(
            key=provider().pairwise_key, client_id=checked.client_id, sid=sso.sid),  # the agency's own sid
            sso.sid):  # (as ID tokens issued before agencies had their own carried it)
        response = _finish(checked, signed_out=True, sso=sso)
        end_session(response, reason="rp_logout")
        return response
    return _confirmation(checked)


def _keep(request_id: str, checked: LogoutRequest) -> None:
    get_store(current_app).set(PENDING + request_id, json.dumps(asdict(checked)).encode(),
                               get_logout().settings.confirm_seconds)


def _pending(raw: bytes | None) -> LogoutRequest | None:
    """A request waiting for the citizen's answer, speaking its language (the agency's
    ui_locales, or the one the citizen chose since), its agency named in it."""
    if raw is None:
        return None
    checked = LogoutRequest(**json.loads(raw))
    use_ui_locales(checked.ui_locales)
    if checked.client_id is None:
        return checked
    with get_db(current_app).read() as db:
        name = agency_names(db, [checked.client_id], current_language()).get(checked.client_id)
        client = _client(db, checked.client_id) if checked.redirect_uri is not None else None
    checked = replace(checked, client_name=name or checked.client_name)
    registered = client.client_metadata.get("post_logout_redirect_uris") or [] if client is not None else []
    if checked.redirect_uri is not None and checked.redirect_uri not in registered:
        # Section 3: only a registered URI. One the agency removed since the request arrived (or
        # an agency disabled since) is not where the citizen goes: this provider's own page.
        checked = replace(checked, redirect_uri=None, state=None)
    return checked


# The language of a pending request, carried on its confirmation form's action: the page saying
# the request expired has no stored request left to speak it.
CARRIED_LANGUAGE = "lang"


def carried_language(checked: LogoutRequest) -> str | None:
    """The language to carry with the request id: the one its page speaks when the agency asked
    for one (or the citizen chose one since); without ui_locales, none (the cookie and the
    browser's languages stand, as on the confirmation)."""
    return current_language() if checked.ui_locales else None


def _expired(carried: str | None = None) -> Response:
    """The request is gone: refused, in the language it carried (one a catalog has) if any."""
    if carried in catalog().languages:
        use_language(str(carried))
    return _refused(LogoutRefused("expired", "this sign-out request has expired; "
                                  "sign out again from the agency or from your account"))


def choose_language(lang: str, request_id: str) -> None:
    """The language switch on the confirmation (`idp.oidc.language_choice.follow`): the
    request speaks the language chosen from now on, over the agency's ui_locales, on the
    confirmation and the signed-out page after it."""
    key = PENDING + request_id[:64]
    store = get_store(current_app)
    raw = store.get(key)
    if raw is None:
        return
    checked = LogoutRequest(**json.loads(raw))
    if checked.ui_locales not in (None, lang):
        # Compare-and-set: a request answered since it was read is not brought back.
        changed = json.dumps(asdict(replace(checked, ui_locales=lang))).encode()
        store.compare_and_set({key: (raw, changed)}, get_logout().settings.confirm_seconds)


def _confirmation(checked: LogoutRequest, request_id: str | None = None) -> Response:
    """Not sure the agency speaks for this session: ask the citizen (section 2, last paragraphs)."""
    if request_id is None:
        request_id = secrets.token_urlsafe(24)
        _keep(request_id, checked)
    page = render_template("logout/confirm.html", request_id=request_id, client_name=checked.client_name,
                           request_lang=carried_language(checked))
    response = no_store(Response(page, mimetype="text/html"))
    if checked.redirect_uri:
        _allow_form_action(response, checked.redirect_uri)
    return response


def _asked_again(request_id: str) -> Response:
    """The confirmation again, for the same request (where its language switch leads back)."""
    request_id = request_id[:64]
    checked = _pending(get_store(current_app).get(PENDING + request_id))
    if checked is None:
        return _expired()
    return _confirmation(checked, request_id)


@bp.post("/end-session/confirm")
def confirm() -> BaseResponse:
    """The citizen's answer: `decision=logout` ends the session, `stay` keeps it."""
    validate_csrf()
    checked = _pending(get_store(current_app).take(PENDING + request.form.get("request", "")[:64]))
    if checked is None:  # the language carried stands in only for a request that is gone
        return _expired(request.args.get(CARRIED_LANGUAGE))
    if request.form.get("decision") != "logout":
        return no_store(redirect("/account" if current_session() else "/", code=303))
    response = _finish(checked, signed_out=True, sso=current_session())
    end_session(response, reason="rp_logout")
    return response
