"""The wallet's HTTP surface (thin: parse, call the services, map errors to responses).

OpenID4VCI 1.0: `/.well-known/openid-credential-issuer`, the pre-authorized code grant's
authorization server (`/.well-known/oauth-authorization-server/wallet`, `/wallet/token`),
`/wallet/nonce`, `/wallet/credential`, `/wallet/notification`, offers by reference
(`/wallet/offers/<id>`); SD-JWT VC type metadata (`/wallet/types/<template>`); Token Status
Lists (`/wallet/status/<id>`); and the citizen's page offering a document to a wallet.

OpenID4VP 1.0: the response URI `/wallet/presentations/response` and the pages that ask for a
PID: proofing (`/account/wallet-proofing`), enrolment (`/enrol/wallet`) and sign-in
(`/login/wallet`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from idp.oidc.current import provider
from idp.sessions import require_citizen
from idp.wallet import (
    authorization,
    credential,
    nonce,
    offer,
    sd_jwt_vc,
    status_list,
    vci_metadata,
    vp_request,
)
from idp.wallet.errors import InvalidGrant, InvalidNonce, InvalidWalletToken, NotOffered, WalletError
from idp.wallet.service import get_wallet
from infra.db import get_db
from infra.ops.metrics import count
from infra.store import get_store
from infra.web.caching import NO_STORE, no_store, uncached_json
from infra.web.csrf import validate_csrf
from infra.web.errors import json_error
from infra.web.i18n import gettext as _
from infra.web.ratelimit import hit
from signing.templates import catalogue

log = logging.getLogger(__name__)
bp = Blueprint("wallet", __name__)
FORM = "application/x-www-form-urlencoded"


@bp.after_request
def _offer_nonce(response: Response) -> Response:
    """The DPoP nonce for the wallet's next proof (RFC 9449 sections 8 and 9)."""
    from idp.oidc import protected

    return protected.offer_nonce(response)


def _json(body: Any, status: int = 200, *, cache: str = NO_STORE) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = cache
    return response


def _error(exc: WalletError) -> Response:
    headers = {}
    if exc.status == 503:  # a dependency (a PID issuer's status list) is down: retry later
        headers["Retry-After"] = "30"
    if isinstance(exc, InvalidWalletToken):
        safe = exc.description.replace('"', "'")
        headers["WWW-Authenticate"] = f'Bearer realm="cedula", error="invalid_token", error_description="{safe}"'
    return json_error(exc.status, exc.error, exc.description, headers)


@bp.errorhandler(WalletError)
def _wallet_error(exc: WalletError) -> Response:
    return _error(exc)


def _now() -> datetime:
    return datetime.now(UTC)


# metadata ------------------------------------------------------------------------------


@bp.get("/.well-known/openid-credential-issuer")
def issuer_metadata() -> Response:
    wallet = get_wallet()
    return _json(vci_metadata.issuer_metadata(wallet.settings, signing_alg=wallet.signing_alg),
                 cache="public, max-age=300")


@bp.get("/.well-known/oauth-authorization-server/wallet")
def authorization_server_metadata() -> Response:
    return _json(vci_metadata.authorization_server_metadata(get_wallet().settings),
                 cache="public, max-age=300")


@bp.get("/wallet/types/<template>")
def type_metadata(template: str) -> Response:
    found = catalogue().get(template)
    if found is None:
        return _json({"error": "not_found", "error_description": "No credential type has this "
                      "name; see credential_configurations_supported."}, 404)
    return _json(sd_jwt_vc.type_metadata(get_wallet().settings.issuer, template, found.schema),
                 cache="public, max-age=3600")


# OpenID4VCI ----------------------------------------------------------------------------


@bp.get("/wallet/offers/<offer_id>")
def offer_by_reference(offer_id: str) -> Response:
    """Section 4.1.3: the Credential Offer a `credential_offer_uri` names."""
    found = offer.body(get_store(current_app), offer_id)
    if found is None:
        return _json({"error": "not_found", "error_description": "This credential offer "
                      "expired or does not exist; open the document in Cédula for a new one."}, 404)
    return _json(found)


def _dpop_refusal(exc: Exception, *, status: int) -> Response:
    """RFC 9449 sections 5 and 8: invalid_dpop_proof, or use_dpop_nonce with the nonce."""
    from idp.oidc import dpop, protected

    response = _json({"error": getattr(exc, "error", "invalid_dpop_proof"),
                      "error_description": getattr(exc, "description", str(exc))}, status)
    if isinstance(exc, dpop.UseDpopNonce) or request.headers.get("DPoP"):
        protected.add_nonce(provider(), response)
    return response


def _passkey_holds(grant: offer.Grant, *, refuse: type[InvalidGrant] | type[InvalidWalletToken]) -> None:
    """The passkey that checked the session which made the offer (or gave the code) is still
    the account's and unblocked; else `refuse`. A lost phone's passkey the citizen deleted, or a
    clone's passkey blocked, ends what a session checked with it started: an offer taken on that
    phone would otherwise still put the citizen's document in the thief's wallet."""
    from idp.account import reauth

    if grant.passkey is None:
        return
    refused = reauth.passkey_refusal(grant.passkey, citizen_id=grant.citizen_id)
    if refused is not None:
        count("wallet.grant", f"passkey_{refused}")
        log.warning("wallet grant refused: its passkey no longer holds",
                    extra={"citizen_id": grant.citizen_id, "reason": refused})
        raise refuse("the passkey that made this offer was removed from the account or blocked "
                     "since: open the document in Cédula for a new offer")


def _client_refusal(client_id: str | None, *, redeeming: bool = False) -> str | None:
    """None while `client_id` names a wallet client registered, enabled and still a wallet now
    (`authorization.is_wallet`); else the RFC 6749 section 5.2 error: invalid_client for a
    client an operator disabled (or whose registration was deleted), unauthorized_client for
    one whose registration no longer makes it a wallet (the code grant dropped from its
    grant_types, or no longer an operator's registration). What such a client started (a
    code, an access token) gets it nothing more, as its consent page (`still_answerable`)
    and an agency's codes and tokens at the OIDC endpoints. `redeeming` (a code at /wallet/token):
    the code is redeemed under the client's registration now, so a client an operator
    registered again to authenticate at the token endpoint (/wallet/token takes no client
    authentication: `authorization.is_public`) gets its token_endpoint_auth_method back, to
    refuse with invalid_client (RFC 6749 section 5.2)."""
    if not client_id:
        return "invalid_client"
    with get_db(current_app).read() as db:
        try:
            client = authorization.registered_client(db, client_id)
        except authorization.UnsafeAuthorization:
            return "invalid_client"
        method = str(client.client_metadata.get("token_endpoint_auth_method"))
        if redeeming and method != "none":
            return method
        try:
            authorization.is_wallet(client)
        except authorization.AuthorizationRefused:
            return "unauthorized_client"
    return None


def _grant_of_request(url: str) -> offer.Grant | Response:
    """The grant of the request's access token (Bearer, or DPoP with its proof)."""
    from idp.oidc import protected
    from idp.oidc.errors import OidcError

    try:
        presented = protected.presented(provider(), url)
        grant = offer.check_token(get_store(current_app), presented.token, scheme=presented.scheme,
                                  jkt=presented.jkt)
        _passkey_holds(grant, refuse=InvalidWalletToken)
        if offer.revoked(get_store(current_app), grant):
            count("wallet.grant", "code_reuse")
            raise InvalidWalletToken("the code this access token was issued for was used twice, so the token "
                                     "is revoked (RFC 6749 section 4.1.2); ask for a new offer or start a new "
                                     "authorization request")
        refused = _client_refusal(grant.client_id) if grant.client_id is not None else None
        if refused == "invalid_client":
            count("wallet.grant", "client_disabled")
            raise InvalidWalletToken("the wallet this access token was issued to is no longer registered "
                                     "with Cédula, or was disabled")
        if refused is not None:
            count("wallet.grant", "client_not_a_wallet")
            raise InvalidWalletToken("the client this access token was issued to is no longer registered as "
                                     "a wallet (the authorization_code grant, by Cédula's operators)")
        return grant
    except OidcError as exc:
        response = _json(exc.as_json(), protected.status_of(exc))
        response.headers.update(protected.challenge_headers(provider(), exc))
        return response
    except InvalidWalletToken as exc:
        response = _error(exc)
        from idp.oidc.errors import InvalidToken

        response.headers.update(protected.challenge_headers(provider(), InvalidToken(exc.description)))
        return response


@bp.post("/wallet/token")
def token() -> Response:
    """Section 6: the pre-authorized code and authorization code grants (form-encoded, RFC
    6749 section 3.2); with a DPoP proof (RFC 9449 section 5), a DPoP-bound token."""
    from idp.oidc import protected
    from idp.oidc.dpop import DpopError

    wallet = get_wallet()
    if request.mimetype != FORM:
        raise WalletError(f"send the parameters as {FORM}")
    hit("wallet-token", limit=60, window=60)
    try:  # before the code is spent: a proof without the server's nonce must be retried
        proof = protected.proof(provider(), f"{wallet.settings.issuer}/wallet/token")
    except DpopError as exc:
        count("wallet.token", exc.error)
        return _dpop_refusal(exc, status=400)
    grant_type = request.form.get("grant_type")
    if grant_type not in (offer.PRE_AUTHORIZED, authorization.AUTHORIZATION_CODE):
        raise WalletError(f"grant_type must be {offer.PRE_AUTHORIZED} or authorization_code",
                          error="unsupported_grant_type")
    try:
        if grant_type == offer.PRE_AUTHORIZED:
            grant = offer.redeem(get_store(current_app),
                                 code=request.form.get("pre-authorized_code"),
                                 tx_code=request.form.get("tx_code"),
                                 ttl=wallet.settings.offer_seconds,
                                 replay_ttl=wallet.settings.access_token_seconds)
        else:
            refused = _client_refusal(request.form.get("client_id"), redeeming=True)
            if refused == "invalid_client":
                count("wallet.token", "invalid_client")
                raise WalletError("client_id must name a wallet registered with Cédula and enabled (RFC 6749 "
                                  "section 5.2)", error="invalid_client", status=401)
            if refused is not None and refused != "unauthorized_client":  # its auth method
                count("wallet.token", "client_authentication_required")
                raise WalletError("this client's registration now requires client authentication "
                                  f"(token_endpoint_auth_method {refused}), which /wallet/token does not "
                                  "take: a wallet is a public client (token_endpoint_auth_method none); "
                                  "ask Cédula's operators to register it so, then start a new "
                                  "authorization request (RFC 6749 section 5.2)",
                                  error="invalid_client", status=401)
            if refused is not None:
                count("wallet.token", "unauthorized_client")
                raise WalletError("this client's registration no longer makes it a wallet (the "
                                  "authorization_code grant, registered by Cédula's operators); ask the "
                                  "operators to register the wallet again (RFC 6749 section 5.2)",
                                  error="unauthorized_client")
            grant = authorization.redeem(get_store(current_app), request.form.to_dict(),
                                         replay_ttl=wallet.settings.access_token_seconds)
        _passkey_holds(grant, refuse=InvalidGrant)
    except InvalidGrant:
        count("wallet.token", "invalid_grant")
        raise
    jkt = proof.jkt if proof is not None else None
    access_token = offer.issue_token(get_store(current_app), grant,
                                     ttl=wallet.settings.access_token_seconds, jkt=jkt)
    count("wallet.token", "ok")
    return uncached_json({"access_token": access_token, "token_type": "DPoP" if jkt else "Bearer",
                        "expires_in": wallet.settings.access_token_seconds,
                        "authorization_details": [{
                            "type": "openid_credential",
                            "credential_configuration_id": grant.configuration_id,
                            "credential_identifiers": [grant.configuration_id]}]})


@bp.post("/wallet/nonce")
def nonce_endpoint() -> Response:
    """Section 7: a fresh c_nonce (no authentication; rate-limited per address)."""
    hit("wallet-nonce", limit=120, window=60)
    return _json({"c_nonce": nonce.issue(get_store(current_app),
                                         ttl=get_wallet().settings.nonce_seconds)})


def _json_object(error: str = "invalid_credential_request") -> dict[str, Any]:
    """The request's JSON object; `error` (the endpoint's own code) when it is not one, or
    holds a NUL or a lone surrogate (no database takes them: a lookup would fail with a server error)."""
    from infra.web.jsonapi import has_lone_surrogate, has_nul

    if request.mimetype != "application/json":
        raise WalletError("send the request as JSON (Content-Type: application/json)",
                          error=error, status=415)
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser recurses (silent= keeps ValueError)
        body = None
    if not isinstance(body, dict):
        raise WalletError("the body must be a JSON object", error=error)
    if has_nul(body):
        raise WalletError("the body contains a NUL character (\\u0000), which no field accepts",
                          error=error)
    if has_lone_surrogate(body):
        raise WalletError("the body contains a lone surrogate (\\ud800 to \\udfff), which is not a "
                          "character and no field accepts", error=error)
    return body


@bp.post("/wallet/credential")
def credential_endpoint() -> Response:
    """Section 8: one credential per key proof for the configuration the token is for."""
    wallet = get_wallet()
    grant = _grant_of_request(f"{wallet.settings.issuer}/wallet/credential")
    if isinstance(grant, Response):
        return grant
    body = _json_object()
    requested = body.get("credential_configuration_id") or body.get("credential_identifier")
    if requested != grant.configuration_id:
        raise WalletError("credential_configuration_id (or credential_identifier) must be "
                          f"{grant.configuration_id!r}, the credential this token is for",
                          error="unknown_credential_configuration"
                          if "credential_configuration_id" in body else "unknown_credential_identifier")
    proofs = body.get("proofs")
    if not isinstance(proofs, dict) or set(proofs) != {"jwt"} or not isinstance(proofs["jwt"], list) \
            or not 1 <= len(proofs["jwt"]) <= credential.MAX_PROOFS:
        raise WalletError("proofs must be {\"jwt\": [one to "
                          f"{credential.MAX_PROOFS} key proofs]}}", error="invalid_proof")
    holder_keys = []
    try:
        for proof in proofs["jwt"]:
            holder_keys.append(credential.verify_proof(
                proof, store=get_store(current_app), audience=wallet.settings.credential_issuer,
                now=_now(), max_age=wallet.settings.nonce_seconds, client_id=grant.client_id))
        credential.distinct_keys(holder_keys)
    except InvalidNonce:
        count("wallet.credential", "invalid_nonce")
        raise
    except WalletError as exc:
        count("wallet.credential", exc.error)
        raise
    issued = wallet.issue(grant, holder_keys, now=_now())
    count("wallet.credential", "ok")
    log.info("wallet credential issued", extra={"document": grant.document_id,
                                                "credentials": len(issued)})
    return _json({"credentials": [{"credential": vc.credential} for vc in issued],
                  "notification_id": issued[0].notification_id})


@bp.post("/wallet/notification")
def notification() -> Response:
    """Section 11: credential_accepted, credential_failure or credential_deleted."""
    grant = _grant_of_request(f"{get_wallet().settings.issuer}/wallet/notification")
    if isinstance(grant, Response):
        return grant
    body = _json_object("invalid_notification_request")
    with get_db(current_app).transaction() as session:
        credential.notify(session, notification_id=body.get("notification_id"),
                          event=body.get("event"), document_ids={grant.document_id}, now=_now())
    return no_store(Response(status=204))


# Token Status List ---------------------------------------------------------------------


@bp.get("/wallet/status/<list_id>")
def status(list_id: str) -> Response:
    """Section 8.1: the Status List Token, `application/statuslist+jwt`."""
    wallet = get_wallet()
    token_text = wallet.status_list_token(list_id, now=_now())
    if token_text is None:
        return _json({"error": "not_found", "error_description": "No status list has this id."}, 404)
    response = Response(token_text, mimetype=status_list.MEDIA_TYPE)
    response.headers["Cache-Control"] = f"public, max-age={wallet.settings.status_list_ttl_seconds}"
    return response


# the citizen's page --------------------------------------------------------------------


def _checked_with_reported(session: Any) -> bool:
    """Whether the session's last passkey check was made with a passkey whose model the FIDO
    metadata now reports compromised: worth level low only, it approves no signature
    (`idp.documents.confirmation`) and puts no document in a wallet (whose holder would then
    present it as the citizen's own)."""
    from idp.assurance.services import reported_passkey

    with get_db(current_app).read() as db:
        return reported_passkey(db, session.credential_id) is not None


@bp.route("/account/documents/<document_id>/wallet", methods=["GET", "POST"])
def add_to_wallet(document_id: str) -> Response:
    """GET: what adding to a wallet means; POST (CSRF): a new offer, as QR and link, and the
    transaction code to type in the wallet (shown here only, once)."""
    session = require_citizen()
    wallet = get_wallet()
    try:
        with get_db(current_app).read() as db:
            document, _kept = credential.offerable(db, document_id=document_id,
                                                   citizen_id=session.citizen_id)
    except NotOffered as exc:
        if exc.status == 404:
            abort(404)
        return _page("wallet/offer.html", 409, document=None, reason=exc.description)
    created = None
    if request.method == "POST":
        from idp.account import reauth

        validate_csrf()
        # The offer puts the document in whichever wallet scans it, bound to that wallet's key:
        # only with a recent check by a passkey of the account (not a copied cookie, a browser
        # left signed in, or a wallet session handed to someone else's browser).
        if _checked_with_reported(session):  # its own page: what a reported model cannot do
            return _page("wallet/offer.html", 403, document=None, reason=_("wallet.offer.reported"))
        if not reauth.fresh(session):
            return reauth.recheck_form(action="wallet_offer", back=request.path)
        hit("wallet-offer", key=session.citizen_id, limit=20, window=3600)
        created = wallet.offer(document, citizen_id=session.citizen_id, passkey=session.credential_id)
    return _page("wallet/offer.html", document=document, offer=created,
                 link=created.uri(wallet.settings.credential_issuer) if created else None,
                 qr=_qr_svg(created.uri(wallet.settings.credential_issuer)) if created else None,
                 minutes=wallet.settings.offer_seconds // 60)


# OpenID4VP: proofing with a PID -------------------------------------------------------

_OUTCOME = "wallet:vp:outcome:"


@bp.route("/account/wallet-proofing", methods=["GET", "POST"])
def wallet_proofing() -> Response:
    """GET: what proving one's identity with a wallet means; POST (CSRF): a presentation
    request (OpenID4VP) as QR code and same-device link.

    Only in a session checked with one of the account's passkeys: the PID becomes the
    account's proofing, which all its passkeys inherit, so the person showing it must hold one
    (a wallet sign-in, whose PID proofs that sign-in only, re-checks with a passkey first)."""
    from idp.account import reauth

    session = require_citizen()
    # A check made with a passkey since marked suspect or removed (or of a reported model) is
    # none, as for the other sensitive actions (`reauth.refused_check`).
    if session.credential_id is None or reauth.refused_check(session) is not None:
        return reauth.recheck_redirect("/account/wallet-proofing")
    wallet = get_wallet()
    created = None
    if request.method == "POST":
        validate_csrf()
        hit("wallet-presentation", key=session.citizen_id, limit=20, window=3600)
        created = vp_request.create(get_store(current_app), issuer=wallet.settings.issuer,
                                    purpose="proofing", citizen_id=session.citizen_id,
                                    pid_vct=wallet.settings.pid_vct,
                                    ttl=wallet.settings.presentation_seconds)
    return _page("wallet/proofing.html", request_=created,
                 link=created.uri() if created else None,
                 qr=_qr_svg(created.uri()) if created else None)


@bp.post("/wallet/presentations/response")
def presentation_response() -> Response:
    """Section 8.2 (direct_post): verify the PID, keep it for the browser that asked, answer
    with a redirect_uri (`idp.wallet.handover`)."""
    from idp.citizens import scheme
    from idp.wallet import vp_response

    wallet = get_wallet()
    if request.mimetype != FORM:
        raise WalletError(f"send the response as {FORM} (response_mode direct_post)")
    hit("wallet-presentation-response", limit=60, window=60)
    store = get_store(current_app)
    try:
        presented, identity = vp_response.verify(
            store, form=request.form.to_dict(), anchors=wallet.trusted_issuers(),
            fetch_status=wallet.fetch_status,
            check_issuer=lambda chain: wallet.check_issuer_revocation(chain, now=_now()),
            pid_vct=wallet.settings.pid_vct, now=_now(),
            max_age=wallet.settings.presentation_seconds)
    except WalletError as exc:
        count("wallet.presentation", exc.error)
        log.info("wallet presentation refused", extra={"error": exc.error,
                                                       "detail": exc.description})
        raise
    from idp.wallet import enrolment, handover

    ttl = wallet.settings.presentation_seconds
    # Handed over only to the browser that asked (`idp.wallet.handover`): the redirect carries
    # a response_code; on another device it shows the code to type in the browser that asked.
    landing = {"sign_in": "/login/wallet/done", "enrolment": "/enrol/wallet/done"}.get(
        presented.purpose, "/account/wallet-proofing/done")
    if presented.purpose == "enrolment":
        with get_db(current_app).read() as db:
            status = enrolment.examine(db, identity, scheme=scheme())
        count("wallet.presentation", f"enrolment_{status}")
    else:  # sign-in: decided, proofing: applied, when the browser that asked has it
        status = "ready"
        count("wallet.presentation", presented.purpose)
    enrolment.keep(store, state=presented.state, identity=identity, status=status, ttl=ttl)
    code = handover.start(store, state=presented.state, purpose=presented.purpose, ttl=ttl)
    return _json({"redirect_uri": f"{wallet.settings.issuer}{landing}?response_code={code}"})


@bp.route("/account/wallet-proofing/done", methods=["GET", "POST"])
def wallet_proofing_done() -> Response:
    """Where the wallet sends the browser (response_code), or where the page that showed the
    QR code continues (state): once the PID is handed over to the session that asked
    (`idp.wallet.presentation_views.handed_over`), it is applied to that session's account,
    and the outcome is shown to that session only."""
    import hashlib
    import json

    from idp.citizens import scheme
    from idp.sessions import current_session
    from idp.wallet import enrolment, handover, proofing
    from idp.wallet.handover_pages import handed_over

    store = get_store(current_app)
    session = current_session()
    # Only a passkey session of the account that asked (as to ask): a wallet session into the
    # same account holds none of its passkeys, nor does one checked with a passkey since marked
    # suspect or removed (`reauth.refused_check`).
    from idp.account import reauth

    requester = (str(session.citizen_id) if session is not None and session.credential_id is not None
                 and reauth.refused_check(session) is None else None)

    def _outcome(state: str) -> dict[str, Any] | None:
        raw = store.get(_OUTCOME + hashlib.sha256(state.encode()).hexdigest())
        found = json.loads(raw) if raw is not None else None
        return found if found is not None and found["citizen_id"] == requester else None

    def owns(state: str) -> bool:
        return (enrolment.pending_of(store, state=state, requester=requester) is not None
                or _outcome(state) is not None)

    shown = _outcome(request.args.get("state", "")[:128]) if request.method == "GET" else None
    if shown is not None:  # the page that showed the QR code, after the wallet came back here
        return _page("wallet/proofing_done.html", outcome=shown)
    handed = handed_over("proofing", owns=owns, action="/account/wallet-proofing/done")
    if isinstance(handed, Response):
        return handed
    if handed is None:
        if session is None:
            require_citizen()
        return _page("wallet/proofing_done.html", 404, outcome=None)
    identity = enrolment.take_of(store, state=handed, requester=requester)
    if identity is not None:
        with get_db(current_app).transaction() as db:
            applied = proofing.apply(db, identity, country=scheme().country, scheme=scheme(),
                                     now=_now())
        count("wallet.presentation", applied.status)
        handover.end(store, state=handed)
        store.set(_OUTCOME + hashlib.sha256(handed.encode()).hexdigest(), json.dumps(
            {"citizen_id": identity.citizen_id, "status": applied.status,
             "differences": list(applied.differences)}).encode(),
            get_wallet().settings.presentation_seconds)
    outcome = _outcome(handed)
    if outcome is None:
        return _page("wallet/proofing_done.html", 404, outcome=None)
    return _page("wallet/proofing_done.html", outcome=outcome)


def _page(template: str, status: int = 200, **context: Any) -> Response:
    return no_store(Response(render_template(template, **context), status=status))


def _qr_svg(data: str) -> str:
    """The offer as a QR code in SVG markup (segno, as the PDFs' QR codes)."""
    import segno
    from markupsafe import Markup

    code = segno.make(data, error="m", micro=False)
    # No fixed size: a viewBox in modules, scaled by CSS (.qr-code svg) to the column.
    return Markup(code.svg_inline(  # noqa: S704 - segno writes the markup, escaping the title
        omitsize=True, dark="#000", light="#fff", svgclass="qr", lineclass=None,
        title=_("wallet.offer.qr_title")))


__all__ = ["InvalidGrant", "bp"]
