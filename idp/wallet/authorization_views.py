"""The authorization code flow of OpenID4VCI 1.0 (section 5) in the browser: `/wallet/authorize`
asks the signed-in citizen (GET) and sends their answer to the wallet's redirect URI (POST),
with `iss` (RFC 9207). Routes on the wallet blueprint (idp.wallet.views); the checks are in
idp.wallet.authorization, the code's redemption at `/wallet/token` in the views."""

from __future__ import annotations

from flask import Response, current_app, request

from idp.sessions import require_citizen
from idp.wallet import authorization, vci_metadata
from idp.wallet.service import get_wallet
from idp.wallet.views import _checked_with_reported, _page, bp
from infra.db import get_db
from infra.ops.metrics import count
from infra.store import get_store
from infra.web.caching import no_store
from infra.web.csrf import validate_csrf

_INTERACTION = "wallet:authz-interaction:"


def _to_client(redirect_uri: str, params: dict[str, str | None]) -> Response:
    """RFC 6749 4.1.2 / 4.1.2.1, with `iss` (RFC 9207)."""
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in {**params, "iss": get_wallet().settings.authorization_server}.items()
                       if v is not None})
    response = no_store(Response(status=303))
    response.headers["Location"] = redirect_uri + ("&" if "?" in redirect_uri else "?") + query
    return response


def _refused(exc: authorization.AuthorizationRefused) -> Response:
    redirect_to = exc.redirect or {}
    return _to_client(str(redirect_to["redirect_uri"]), {**exc.as_json(), "state": redirect_to.get("state")})


@bp.get("/wallet/authorize")
def authorize() -> Response:
    """Section 5.1: check the request, make sure a citizen is signed in, ask them."""
    import json
    import secrets

    params = {key: request.args.getlist(key) for key in request.args}
    try:
        with get_db(current_app).read() as db:
            asked = authorization.parse(db, params, scopes=vci_metadata.scope_configurations())
    except authorization.UnsafeAuthorization as exc:
        return _page("wallet/authorize.html", 400, error=exc.description)
    except authorization.AuthorizationRefused as exc:
        return _refused(exc)
    session = require_citizen()
    store = get_store(current_app)
    with get_db(current_app).read() as db:
        document = authorization.document_for(db, store, asked, citizen_id=session.citizen_id)
    if document is None:
        return _to_client(asked.redirect_uri, {
            "error": "access_denied", "state": asked.state,
            "error_description": "the citizen holds no valid document of this type"})
    interaction = secrets.token_urlsafe(24)
    store.set(_INTERACTION + interaction, json.dumps({
        "request": asked.as_json(), "citizen_id": str(session.citizen_id),
        "document_id": document.id}).encode(), 600)
    return _page("wallet/authorize.html", asked=asked, document=document, interaction=interaction)


@bp.post("/wallet/authorize")
def authorize_decision() -> Response:
    """The citizen's answer (CSRF-protected form): a code for the wallet, or access_denied."""
    import json

    from idp.account import reauth

    session = require_citizen()
    validate_csrf()
    if request.form.get("decision") == "allow" and _checked_with_reported(session):
        return _page("wallet/authorize.html", 403, reported=True)
    if request.form.get("decision") == "allow" and not reauth.fresh(session):
        # A code puts the citizen's document in the client's wallet, bound to its key: as for
        # an offer (`add_to_wallet`), only after a recent check by a passkey of the account.
        return reauth.recheck_form(action="wallet_offer", keep=("interaction", "decision"),
                                   back="/account/documents")
    raw = get_store(current_app).take(_INTERACTION + (request.form.get("interaction") or "")[:64])
    held = json.loads(raw) if raw is not None else None
    if held is None or held["citizen_id"] != str(session.citizen_id):
        return _page("wallet/authorize.html", 400, error=None, expired=True)
    asked = authorization.CredentialRequest.from_json(held["request"])
    try:
        with get_db(current_app).read() as db:
            authorization.still_answerable(db, asked)
    except authorization.UnsafeAuthorization as exc:
        count("wallet.authorize", "client_gone")
        return _page("wallet/authorize.html", 400, error=exc.description)
    except authorization.AuthorizationRefused as exc:
        count("wallet.authorize", "not_a_wallet")
        return _refused(exc)
    if request.form.get("decision") != "allow":
        count("wallet.authorize", "denied")
        return _to_client(asked.redirect_uri, {"error": "access_denied", "state": asked.state,
                                               "error_description": "the citizen said no"})
    code = authorization.issue_code(get_store(current_app), asked, document_id=held["document_id"],
                                    citizen_id=session.citizen_id, passkey=session.credential_id)
    count("wallet.authorize", "allowed")
    return _to_client(asked.redirect_uri, {"code": code, "state": asked.state})

