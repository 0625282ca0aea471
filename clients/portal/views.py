"""The portal's pages: sign in, what the agency received, sign out, back-channel logout."""

from __future__ import annotations

import hmac
import logging
import secrets

from authlib.integrations.base_client import OAuthError
from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, session

from clients.portal.documents import IssueError, issue_birth_certificate
from clients.portal.logout_token import LogoutTokenError, validate_logout_token
from clients.portal.sessions import PortalSession
from clients.portal.texts import language, text

log = logging.getLogger(__name__)
bp = Blueprint("portal", __name__)


def _config():
    return current_app.config["PORTAL"]


def _oauth_client():
    return current_app.extensions["portal.oauth"].cedula


def _current() -> PortalSession | None:
    return current_app.extensions["portal.sessions"].get(session.get("portal_session"))


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
        abort(400, description="The form expired; reload the page and try again.")


@bp.app_context_processor
def _globals():
    return {"t": text, "lang": language(), "portal": _config(), "csrf_token": csrf_token}


@bp.get("/")
def index():
    current = _current()
    if current is None and "portal_session" in session:
        session.pop("portal_session")  # ended by back-channel logout
    notice = request.args.get("notice")
    return render_template("portal/index.html", current=current, notice=notice)


@bp.get("/login")
def login():
    return _oauth_client().authorize_redirect(
        redirect_uri=f"{_config().base_url}/callback", nonce=secrets.token_urlsafe(16))


@bp.get("/callback")
def callback():
    if request.args.get("error") == "access_denied":
        return render_template("portal/index.html", current=None, notice="denied"), 200
    try:
        token = _oauth_client().authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        claims.update(_oauth_client().userinfo(token=token))
    except (OAuthError, ValueError) as exc:
        log.warning("sign-in failed: %s", exc)
        return render_template("portal/error.html", detail=str(exc)), 400
    key = current_app.extensions["portal.sessions"].create(
        PortalSession(claims=claims, id_token=token["id_token"], token=token))
    session["portal_session"] = key
    return redirect("/", code=303)


@bp.post("/documents/birth")
def issue_birth():
    """The civil registry issues the signed-in citizen's birth certificate (documents API)."""
    _check_csrf()
    current = _current()
    if current is None or not _config().can_issue_documents:
        return redirect("/", code=303)
    try:
        issued = issue_birth_certificate(
            _config(), metadata=_oauth_client().load_server_metadata(),
            client_auth=current_app.extensions["portal.client_auth"], claims=current.claims,
            language=language())
    except IssueError as exc:
        log.warning("birth certificate not issued: %s", exc)
        return render_template("portal/error.html", detail=str(exc)), 502
    current.issued.append(issued)
    return redirect("/#issued", code=303)


@bp.post("/logout")
def logout():
    """RP-initiated logout: end the local session, then the provider's (OIDC RP-Initiated Logout 1.0)."""
    _check_csrf()
    current = _current()
    current_app.extensions["portal.sessions"].remove(session.pop("portal_session", None))
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
            token, keys=current_app.extensions["portal.keys"], issuer=_config().issuer,
            client_id=_config().client_id, replay=current_app.extensions["portal.replay"])
    except LogoutTokenError as exc:
        log.warning("logout token refused: %s", exc)
        response = jsonify(error="invalid_request", error_description=str(exc))
        response.status_code = 400
        return response
    ended = current_app.extensions["portal.sessions"].end(sid=logout_request.sid, sub=logout_request.sub)
    log.info("back-channel logout ended %d session(s)", ended)
    return Response(status=200, headers={"Cache-Control": "no-store"})
