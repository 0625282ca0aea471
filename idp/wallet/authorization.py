"""The authorization code flow of OpenID4VCI 1.0 (section 5) with Cédula as authorization
server: a wallet registered as a client (public, `token_endpoint_auth_method: none`) asks at
`/wallet/authorize` for a credential, by `scope` or by `authorization_details` of type
`openid_credential` (RFC 9396, OpenID4VCI 5.1.1), with PKCE S256 (RFC 7636) and, from an
offer, `issuer_state`; the signed-in citizen agrees; the code (single use, 60 seconds) is
redeemed at `/wallet/token` with the code verifier. Redeeming a code leaves a replay mark
naming the grant it created; the code presented again voids that grant, and the access token
issued from its first use stops working (RFC 6749 section 4.1.2, `idp.wallet.offer.revoked`).

Pure checks here; the views map them to redirects and pages. Errors that make the client or
its redirect URI untrustworthy are `UnsafeAuthorization` (never redirected, RFC 6749 4.1.2.1).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.oidc import parameters
from idp.wallet import sd_jwt_vc
from idp.wallet.errors import InvalidGrant, WalletError
from idp.wallet.models import CredentialData
from idp.wallet.offer import Grant, void
from infra.store import EphemeralStore as Store
from signing.models import Document

if TYPE_CHECKING:
    from clients.registry import Client

_CODE = "wallet:authz-code:"
_ISSUER_STATE = "wallet:issuer-state:"
_MARK = "wallet:authz-code-mark:"  # a redeemed code's replay mark: the grant it created
CODE_SECONDS = 60
AUTHORIZATION_CODE = "authorization_code"


class UnsafeAuthorization(WalletError):
    """The client or redirect URI cannot be trusted: answer with a page, never redirect."""


class AuthorizationRefused(WalletError):
    """An error for the client, sent to its redirect URI with `state` (`redirect`, once the
    redirect URI is known to be the client's)."""

    redirect: dict[str, str | None] | None = None


@dataclass(frozen=True)
class CredentialRequest:
    client_id: str
    client_name: str
    redirect_uri: str
    state: str | None
    code_challenge: str
    configuration_id: str
    template: str
    issuer_state: str | None
    by_details: bool

    def as_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str) -> CredentialRequest:
        return cls(**json.loads(raw))


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    """At most once, within the authorization endpoint's limits, empty as absent (one home:
    idp.oidc.parameters); AuthorizationRefused (invalid_request) if not."""
    return parameters.single(params, name, error=AuthorizationRefused)


def parse(session: Session, params: Mapping[str, list[str]], *, scopes: Mapping[str, str]
          ) -> CredentialRequest:
    """Section 5.1 and RFC 6749 4.1.1: the client, its exact redirect URI, then the rest."""
    ids = params.get("client_id") or []
    client_id = ids[0] if len(ids) == 1 and len(ids[0]) <= parameters.limit("client_id") else None
    if not client_id:
        raise UnsafeAuthorization("client_id is required (one value, at most "
                                  f"{parameters.limit('client_id')} characters)")
    client = registered_client(session, client_id)
    metadata = client.client_metadata
    given = params.get("redirect_uri") or []
    redirect_uri = given[0] if len(given) == 1 else None
    if redirect_uri is None or redirect_uri not in metadata.get("redirect_uris", []):
        raise UnsafeAuthorization("redirect_uri must be one of the client's registered redirect URIs, "
                                  "exactly")
    # Until `state` is read (once, within its limit) an error goes back without it.
    request: dict[str, str | None] = {"redirect_uri": redirect_uri, "state": None}
    try:
        state = request["state"] = _single(params, "state")
        if _single(params, "response_type") != "code":
            raise AuthorizationRefused("response_type must be code", error="unsupported_response_type")
        is_public(client)
        is_wallet(client)
        from idp.oidc.errors import OidcError
        from idp.oidc.pkce import check_challenge

        try:
            challenge = check_challenge(challenge=_single(params, "code_challenge"),
                                        method=_single(params, "code_challenge_method"))
        except OidcError as exc:
            raise AuthorizationRefused(exc.description) from None
        configuration_id, by_details = _configuration(params, scopes)
        issuer_state = _single(params, "issuer_state")
    except AuthorizationRefused as exc:
        exc.redirect = request
        raise
    template = configuration_id.removesuffix("_" + sd_jwt_vc.FORMAT)
    return CredentialRequest(
        client_id=client.client_id,
        client_name=str(metadata.get("client_name") or client.client_id),
        redirect_uri=str(redirect_uri), state=state, code_challenge=challenge,
        configuration_id=configuration_id, template=template,
        issuer_state=issuer_state, by_details=by_details)


def registered_client(session: Session, client_id: str) -> Client:
    """The wallet's registration, while it is enabled (an operator disables a wallet, RFC 7592
    section 2.3 deletes one); UnsafeAuthorization if it is not."""
    from clients.registry import ClientNotFound, find_client

    try:
        return find_client(session, client_id)
    except ClientNotFound:
        raise UnsafeAuthorization("this client is not registered with Cédula") from None


def is_public(client: Client) -> None:
    """RFC 6749 sections 2.1 and 4.1.2.1 (unauthorized_client): a wallet is a public client
    (token_endpoint_auth_method none), since /wallet/token takes no client authentication; a
    registration that requires one cannot be given a code here."""
    if client.client_metadata.get("token_endpoint_auth_method") != "none":
        raise AuthorizationRefused("register the wallet as a public client "
                                   "(token_endpoint_auth_method none): wallets keep no secret",
                                   error="unauthorized_client")


def is_wallet(client: Client) -> None:
    """RFC 6749 section 4.1.2.1 (unauthorized_client): a client may ask here for a credential
    only if it is a wallet, registered by an operator (`cedula clients ...`: a wallet receives the
    citizen's document bound to its key, so Cédula vouches for it as for no self-registered
    portal), and registers the authorization_code grant (RFC 7591 section 2, `grant_types`)."""
    if AUTHORIZATION_CODE not in client.client_metadata.get("grant_types", []):
        raise AuthorizationRefused("this client's registration does not include the authorization_code grant "
                                   "(grant_types): add it to the wallet's registration",
                                   error="unauthorized_client")
    if not client.operator_registered:
        raise AuthorizationRefused("only wallets registered by Cédula's operators may ask for credentials here; "
                                   "a client registered at /register is an agency portal: ask the operators "
                                   "to register the wallet", error="unauthorized_client")


def still_answerable(session: Session, request: CredentialRequest) -> None:
    """RFC 6749 section 4.1.2 and 4.1.2.1: a kept request (the citizen answers the consent page
    later) is answered, code or error, only while its client is enabled and still registers
    its redirect URI, as when it arrived; UnsafeAuthorization if not (a page, no redirect). A
    client that stopped being a wallet meanwhile (`is_wallet`) gets unauthorized_client at its
    redirect URI (AuthorizationRefused), as a new request from it would; so does one now
    registered to authenticate at the token endpoint (`is_public`)."""
    client = registered_client(session, request.client_id)
    if request.redirect_uri not in client.client_metadata.get("redirect_uris", []):
        raise UnsafeAuthorization("redirect_uri is no longer one of the client's registered redirect URIs")
    try:
        is_public(client)
        is_wallet(client)
    except AuthorizationRefused as exc:
        exc.redirect = {"redirect_uri": request.redirect_uri, "state": request.state}
        raise


def _configuration(params: Mapping[str, list[str]], scopes: Mapping[str, str]) -> tuple[str, bool]:
    """Section 5.1.1 (authorization_details) or 5.1.2 (scope): exactly one credential."""
    details = _single(params, "authorization_details")
    scope = _single(params, "scope")
    if details is not None:
        try:
            parsed = json.loads(details)
        except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
            raise AuthorizationRefused("authorization_details is not JSON",
                                       error="invalid_authorization_details") from None
        if not isinstance(parsed, list) or len(parsed) != 1 or not isinstance(parsed[0], dict) \
                or parsed[0].get("type") != "openid_credential":
            raise AuthorizationRefused("authorization_details must hold one object of type "
                                       "openid_credential", error="invalid_authorization_details")
        wanted = parsed[0].get("credential_configuration_id")
        if wanted not in scopes.values():
            raise AuthorizationRefused(f"credential_configuration_id {wanted!r} is not offered; "
                                       "see the Credential Issuer Metadata",
                                       error="invalid_authorization_details")
        return str(wanted), True
    asked = [s for s in (scope or "").split() if s != "openid"]
    if len(asked) != 1 or asked[0] not in scopes:
        raise AuthorizationRefused(f"scope must name one credential: {', '.join(sorted(scopes))} "
                                   "(or send authorization_details)", error="invalid_scope")
    return scopes[asked[0]], False


def remember_issuer_state(store: Store, *, document_id: str, citizen_id: str, ttl: int) -> str:
    """The `issuer_state` of an offer's authorization code grant (section 4.1.1)."""
    value = secrets.token_urlsafe(32)
    store.set(_ISSUER_STATE + hashlib.sha256(value.encode()).hexdigest(),
              json.dumps({"document_id": document_id, "citizen_id": citizen_id}).encode(), ttl)
    return value


def document_for(session: Session, store: Store, request: CredentialRequest, *,
                 citizen_id: str) -> Document | None:
    """The document the credential is for: the offer's (issuer_state, the citizen's own), or
    the citizen's newest valid document of the template whose data was kept."""
    if request.issuer_state:
        raw = store.get(_ISSUER_STATE + hashlib.sha256(request.issuer_state.encode()).hexdigest())
        if raw is not None:
            offered = json.loads(raw)
            if offered["citizen_id"] == str(citizen_id):
                document = session.get(Document, offered["document_id"])
                if document is not None and document.status == "valid" \
                        and document.template == request.template:
                    return document
    return session.scalars(
        sa.select(Document).join(CredentialData, CredentialData.document_id == Document.id)
        .where(Document.subject == str(citizen_id), Document.template == request.template,
               Document.status == "valid", Document.kind == "sealed")
        .order_by(Document.issued_at.desc()).limit(1)).first()


def issue_code(store: Store, request: CredentialRequest, *, document_id: str, citizen_id: str,
               passkey: str | None = None) -> str:
    code = secrets.token_urlsafe(32)
    record = {"client_id": request.client_id, "redirect_uri": request.redirect_uri,
              "challenge": request.code_challenge, "document_id": document_id,
              "citizen_id": str(citizen_id), "configuration_id": request.configuration_id,
              "passkey": passkey, "grant_id": secrets.token_urlsafe(16)}
    store.set(_CODE + _key(code, request.client_id, request.code_challenge, request.redirect_uri),
              json.dumps(record).encode(), CODE_SECONDS)
    return code


def _key(code: str, client_id: str, challenge: str, redirect_uri: str) -> str:
    """A code's key: a digest over the code and what binds it (each part but the last
    length-prefixed, so no two sets of parts are the same text). The exchange computes it from
    what it was given: another client, a wrong code_verifier or another redirect_uri finds
    nothing and takes nothing (as the agency codes, idp.oidc.codes): whoever merely sees a code
    can neither burn it nor, presenting it twice, revoke what its wallet was given."""
    text = f"{len(code)}:{code}{len(client_id)}:{client_id}{len(challenge)}:{challenge}{redirect_uri}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def redeem(store: Store, form: Mapping[str, str], *, replay_ttl: float) -> Grant:
    """RFC 6749 4.1.3 for a public client: the code once, same client and redirect URI, and
    the PKCE verifier (RFC 7636 4.6), all part of the code's key (`_key`). Taking the code
    leaves a mark under that key (for `replay_ttl`, at least an access token's life) naming its
    grant: the code presented again with them voids that grant."""
    from idp.oidc.errors import OidcError
    from idp.oidc.pkce import challenge_of

    code, client_id, redirect_uri = form.get("code"), form.get("client_id"), form.get("redirect_uri")
    if not code or len(code) > 512:
        raise InvalidGrant("code is required (the one the authorization response gave)")
    if not client_id or not redirect_uri:
        raise InvalidGrant("client_id and redirect_uri are required, as in the authorization request")
    try:
        challenge = challenge_of(form.get("code_verifier"))
    except OidcError as exc:
        raise InvalidGrant(exc.description) from None
    digest = _key(code, client_id, challenge, redirect_uri)
    raw = store.take_and_mark(_CODE + digest, _MARK + digest, "grant_id", replay_ttl)
    if raw is None:
        mark = store.get(_MARK + digest)
        if mark is not None:
            void(store, mark.decode("ascii"), replay_ttl)
            raise InvalidGrant("the authorization code was used twice; the access token issued with it is "
                               "revoked: start a new authorization request")
        raise InvalidGrant("the authorization code is unknown, expired or already used, or was not issued "
                           "for this client_id, redirect_uri and code_verifier")
    record: dict[str, Any] = json.loads(raw)
    return Grant(record["document_id"], record["citizen_id"], record["configuration_id"],
                 record["client_id"], passkey=record.get("passkey"), grant_id=record.get("grant_id"))

