"""The portal's pages: sign in, what the agency received, sign out, back-channel logout."""

from __future__ import annotations

import hmac
import logging
import re
import secrets

from authlib.integrations.base_client import OAuthError
from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from clients.portal.claims import ACR_SUBSTANTIAL
from clients.portal.component import current_session, get_portal
from clients.portal.documents import IssueError, issue_birth_certificate
from clients.portal.fapi import FapiError, pkce_pair
from clients.portal.logout_token import LogoutTokenError, validate_logout_token
from clients.portal.sessions import PortalSession
from clients.portal.texts import LANG_COOKIE, TEXTS, language, text

log = logging.getLogger(__name__)
bp = Blueprint("portal", __name__)


def _config():
    return get_portal().config


def _oauth_client():
    return get_portal().provider


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        abort(Response(render_template("portal/error.html", heading="form_expired_title",
                                       message="form_expired"), status=400))


def issue_key() -> str:
    """A new Idempotency-Key for each issue form shown: the form sent twice issues once."""
    return secrets.token_urlsafe(24)


# What the documents API accepts as an Idempotency-Key: 1 to 255 visible ASCII characters.
_KEY = re.compile(r"[\x21-\x7e]{1,255}")


@bp.app_context_processor
def _globals():
    return {"t": text, "lang": language(), "portal": _config(), "csrf_token": csrf_token, "issue_key": issue_key}


# The page of an HTTP error werkzeug would answer in English outside the portal's layout.
_HTTP_ERROR_TEXTS = {404: ("not_found_title", "not_found"), 405: ("method_title", "method")}


@bp.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    if exc.response is not None:  # abort(Response(...)): the page is already made
        return exc.response
    heading, message = _HTTP_ERROR_TEXTS.get(exc.code or 500, ("request_failed_title", "request_failed"))
    response = exc.get_response()  # keeps the headers werkzeug sets (Allow on a 405)
    response.set_data(render_template("portal/error.html", heading=heading, message=message))
    response.content_type = "text/html; charset=utf-8"
    return response


@bp.get("/")
def index():
    current = current_session()
    if current is None and "portal_session" in session:
        session.pop("portal_session")  # ended by back-channel logout
    notice = request.args.get("notice")
    return render_template("portal/index.html", current=current, notice=notice)


def _fapi():
    return get_portal().fapi


@bp.get("/language/<lang>")
def choose_language(lang: str) -> ResponseReturnValue:
    """The language switch: remember the choice and go back to the page (only one of ours)."""
    if lang not in TEXTS:
        abort(404)
    target = request.args.get("next") or "/"
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = "/"
    response = redirect(target, code=303)
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=request.is_secure)
    return response


@bp.get("/login")
def login():
    """Sign in; `?level=substantial` asks for that level (`acr_values`, OIDC Core 3.1.2.1) and
    comes back to the page that needs it (step-up)."""
    extra = {"ui_locales": language()}  # Cédula's pages speak the portal's language (OIDC Core 3.1.2.1)
    if request.args.get("level") == "substantial":
        extra["acr_values"] = ACR_SUBSTANTIAL
        session["return_to"] = "/level"
    else:
        session.pop("return_to", None)
    if _fapi() is not None:
        return _fapi_login(extra)
    try:
        return _oauth_client().authorize_redirect(
            redirect_uri=f"{_config().base_url}/callback", nonce=secrets.token_urlsafe(16), **extra)
    except (OAuthError, OSError) as exc:  # Cédula's discovery document cannot be read
        log.warning("sign-in could not start: %s", exc)
        return render_template("portal/error.html", heading="unreachable_title", message="unreachable",
                               technical=str(exc)), 502


def _fapi_login(extra: dict[str, str] | None = None) -> ResponseReturnValue:
    """FAPI 2.0: push the request (PAR), keep state, nonce and PKCE verifier in the cookie session."""
    verifier, challenge = pkce_pair()
    pending = {"state": secrets.token_urlsafe(16), "nonce": secrets.token_urlsafe(16), "verifier": verifier}
    params = {"response_type": "code", "redirect_uri": f"{_config().base_url}/callback",
              "scope": " ".join(_config().scopes), "state": pending["state"], "nonce": pending["nonce"],
              "code_challenge": challenge, "code_challenge_method": "S256", **(extra or {})}
    try:
        url = _fapi().authorization_url(_oauth_client().load_server_metadata(), params)
    except (FapiError, OSError) as exc:
        log.warning("pushed authorization request failed: %s", exc)
        return render_template("portal/error.html", technical=str(exc)), 502
    session["fapi_pending"] = pending
    return redirect(url, code=302)


def _fapi_tokens() -> tuple[dict, dict]:
    """The callback of a pushed request: state and iss (RFC 9207) first, then a DPoP-bound
    token (private_key_jwt), the ID token checked by authlib, and UserInfo with the DPoP key."""
    pending = session.pop("fapi_pending", None)
    if not pending or not hmac.compare_digest(request.args.get("state", ""), pending["state"]):
        raise ValueError("the answer does not belong to a sign-in this browser started")
    _check_issuer(required=True)
    if "error" in request.args:
        raise ValueError(f"{request.args['error']}: {request.args.get('error_description', '')}")
    metadata = _oauth_client().load_server_metadata()
    token = _fapi().token(metadata, {"grant_type": "authorization_code", "code": request.args.get("code", ""),
                                     "redirect_uri": f"{_config().base_url}/callback",
                                     "code_verifier": pending["verifier"]})
    claims = dict(_oauth_client().parse_id_token(token, nonce=pending["nonce"]))
    claims.update(_fapi().userinfo(metadata, token["access_token"]))
    return token, claims


def _check_issuer(*, required: bool) -> None:
    """RFC 9207 section 2.4: the answer's `iss` must be the provider's, exactly; it is required
    when the provider says it sends one (`authorization_response_iss_parameter_supported`),
    else an attacker's provider could have this portal redeem a code it mixed up (mix-up)."""
    sent = request.args.get("iss")
    if sent is None and not required:
        return
    if sent != _config().issuer:
        raise ValueError("the answer does not come from the expected provider (iss)")


@bp.get("/callback")
def callback():
    if request.args.get("error") == "access_denied":
        session.pop("fapi_pending", None)
        # A page of its own, not this answer: the language switch and a reload show it again.
        return redirect("/?notice=denied", code=303)
    if request.args.get("error") == "unmet_authentication_requirements":
        session.pop("fapi_pending", None)  # the level asked for (step-up) was not reached
        return redirect("/level?notice=unmet", code=303)
    try:
        if _fapi() is not None:
            token, claims = _fapi_tokens()
        else:
            metadata = _oauth_client().load_server_metadata()
            _check_issuer(required=bool(metadata.get("authorization_response_iss_parameter_supported")))
            token = _oauth_client().authorize_access_token()
            claims = dict(token.get("userinfo") or {})
            claims.update(_oauth_client().userinfo(token=token))
    except (OAuthError, FapiError, ValueError, OSError) as exc:
        log.warning("sign-in failed: %s", exc)
        return render_template("portal/error.html", technical=str(exc)), 400
    sessions = get_portal().sessions
    earlier = sessions.get(session.get("portal_session"))
    key = sessions.create(PortalSession(claims=claims, id_token=token["id_token"], token=token,
                                        issued=earlier.issued if earlier else []))
    sessions.remove(session.get("portal_session"))
    session["portal_session"] = key
    return redirect("/level" if session.pop("return_to", None) == "/level" else "/", code=303)


@bp.post("/documents/birth")
def issue_birth():
    """The civil registry issues the signed-in citizen's birth certificate (documents API)."""
    _check_csrf()
    current = current_session()
    if current is None or not _config().can_issue_documents:
        return redirect("/", code=303)
    key = request.form.get("idempotency_key", "")
    try:
        issued = issue_birth_certificate(
            _config(), metadata=_oauth_client().load_server_metadata(),
            client_auth=get_portal().client_auth, claims=current.claims, language=language(),
            idempotency_key=key if _KEY.fullmatch(key) else issue_key(), fapi=_fapi())
    except IssueError as exc:
        log.warning("birth certificate not issued: %s", exc)
        return render_template("portal/error.html", heading="issue_failed_title", message="issue_failed",
                               technical=str(exc)), 502
    if all(earlier.id != issued.id for earlier in current.issued):  # a form sent again: the same one
        current.issued.append(issued)
    return redirect("/#issued", code=303)


@bp.post("/logout")
def logout():
    """RP-initiated logout: end the local session, then the provider's (OIDC RP-Initiated Logout 1.0)."""
    _check_csrf()
    current = current_session()
    get_portal().sessions.remove(session.pop("portal_session", None))
    if current is None:
        return redirect("/?notice=signed_out", code=303)
    return _oauth_client().logout_redirect(
        post_logout_redirect_uri=f"{_config().base_url}/", id_token_hint=current.id_token,
        state=secrets.token_urlsafe(16))


@bp.post("/backchannel-logout")
def backchannel_logout() -> Response:
    """OIDC Back-Channel Logout 1.0, section 2.8: 200 when done, 400 for an invalid token."""
    token = request.form.get("logout_token", "")
    try:
        logout_request = validate_logout_token(
            token, keys=get_portal().keys, issuer=_config().issuer,
            client_id=_config().client_id, replay=get_portal().replay)
    except LogoutTokenError as exc:
        log.warning("logout token refused: %s", exc)
        response = jsonify(error="invalid_request", error_description=str(exc))
        response.status_code = 400
        return response
    ended = get_portal().sessions.end(sid=logout_request.sid, sub=logout_request.sub)
    log.info("back-channel logout ended %d session(s)", ended)
    return Response(status=200, headers={"Cache-Control": "no-store"})
