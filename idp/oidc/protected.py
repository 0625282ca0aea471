"""The request side of the provider's protected resources (/userinfo, the documents API):
reading the access token (RFC 6750 section 2, RFC 9449 section 7), checking its DPoP proof,
and the `WWW-Authenticate` challenges of a refusal (RFC 6750 section 3, RFC 9449 section 7.1).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Response, current_app, request

from idp.oidc import dpop
from idp.oidc.current import provider as current_provider
from idp.oidc.errors import InsufficientUserAuthentication, InvalidToken, OidcError
from idp.oidc.services import Provider
from infra.store import get_store

REALM = 'realm="cedula"'


@dataclass(frozen=True, init=False)
class Presented:
    """The access token of a request, how it came (`Bearer` or `DPoP`), the proof's key.
    (`__init__`: the dataclass's, filling the instance dict at once: issue 16.)"""

    token: str
    scheme: str
    jkt: str | None = None

    def __init__(self, token: str, scheme: str, jkt: str | None = None) -> None:
        self.__dict__.update(token=token, scheme=scheme, jkt=jkt)


class MissingToken(OidcError):
    """RFC 6750 section 3.1: no token at all; the challenge then carries no error code."""

    error = "invalid_token"
    status = 401


def nonces(provider: Provider) -> dpop.Nonces:
    return dpop.Nonces(get_store(current_app), seconds=provider.settings.dpop_nonce_seconds)


@dataclass(frozen=True, init=False)
class Headers:
    """What this module reads of a request: its method, Authorization and DPoP headers (as
    the WSGI server gave them; None: absent). A WSGI environ holds one value per header name.
    (`__init__`: the dataclass's, filling the instance dict at once: issue 16.)"""

    method: str
    authorization: str | None
    dpop: str | None

    def __init__(self, method: str, authorization: str | None, dpop: str | None) -> None:
        self.__dict__.update(method=method, authorization=authorization, dpop=dpop)


def _flask_headers() -> Headers:
    return Headers(method=request.method, authorization=request.environ.get("HTTP_AUTHORIZATION"),
                   dpop=request.environ.get("HTTP_DPOP"))


def proof(provider: Provider, url: str, *, access_token: str | None = None,
          required: bool = False, asked: Headers | None = None) -> dpop.Proof | None:
    """RFC 9449 section 4.3: the request's one DPoP header, verified for `url` (None: none sent).
    `asked`: the request's headers (default: Flask's request)."""
    asked = asked or _flask_headers()
    # A WSGI environ holds one value per name: a server joins repeated DPoP headers into one
    # ("a, b"), which is no proof (section 4.3: one header).
    if asked.dpop is None:
        if required:
            raise dpop.DpopError("a DPoP proof is required with the DPoP scheme (RFC 9449 section 7.1)")
        return None
    return dpop.verify(asked.dpop, method=asked.method, url=url, store=get_store(current_app),
                       policy=provider.dpop_policy, nonces=nonces(provider), now=int(time.time()),
                       access_token=access_token)


def presented(provider: Provider, url: str, *, body_token: str | None = None,
              asked: Headers | None = None) -> Presented:
    """The access token in the Authorization header (`Bearer` or `DPoP` with its proof) or,
    for /userinfo's POST, the form body (Bearer, RFC 6750 section 2.2)."""
    asked = asked or _flask_headers()
    scheme, _, value = (asked.authorization or "").partition(" ")
    value = value.strip()
    if scheme.lower() not in ("bearer", "dpop") or not value:
        value = ""
    if value and body_token:
        raise OidcError("send the access token once, not in the header and the body")
    if scheme.lower() == "dpop" and value:
        checked = proof(provider, url, access_token=value, required=True, asked=asked)
        assert checked is not None
        return Presented(token=value, scheme="DPoP", jkt=checked.jkt)
    token = value or body_token
    if not token:
        raise MissingToken("an access token is required: send it in the Authorization header, as "
                           "'Bearer <token>' (or 'DPoP <token>' with a DPoP proof), RFC 6750 section 2.1")
    return Presented(token=token, scheme="Bearer")


def _quotable(text: str) -> str:
    """RFC 6750 section 3: an error_description is printable ASCII without `"` and `\\`
    (%x20-21 / %x23-5B / %x5D-7E). The description may quote what the request sent (a DPoP
    proof's htm, typ, htu): anything else is written as /uXXXX, or the header could not be sent
    at all (a WSGI server encodes header values as latin-1, PEP 3333)."""
    return "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "'" if ch == '"' else "/" if ch == "\\"
                   else f"/u{ord(ch):04x}" for ch in text)


def challenge(exc: OidcError, *, scope: str | None = None, asked: Headers | None = None) -> str:
    """RFC 6750 section 3 and RFC 9449 section 7.1: a Bearer and a DPoP challenge; the error
    goes in the DPoP one when the failure is about DPoP or the DPoP scheme was used."""
    extra = f', scope="{scope}"' if scope else ""
    algs = f'algs="{" ".join(dpop.ALGS)}"'
    if isinstance(exc, MissingToken):
        return f"Bearer {REALM}{extra}, DPoP {REALM}, {algs}"
    safe = _quotable(exc.description)
    error = f'error="{exc.error}", error_description="{safe}"'
    if isinstance(exc, InsufficientUserAuthentication):  # RFC 9470 section 3
        error += f', acr_values="{exc.acr_values}"'
    used_dpop = ((asked or _flask_headers()).authorization or "").lower().startswith("dpop ")
    if isinstance(exc, dpop.DpopError | dpop.NotBound) or used_dpop:
        return f"DPoP {REALM}, {error}{extra}, {algs}, Bearer {REALM}"
    return f"Bearer {REALM}, {error}{extra}, DPoP {REALM}, {algs}"


def challenge_headers(provider: Provider, exc: OidcError, *, scope: str | None = None,
                      asked: Headers | None = None) -> dict[str, str]:
    """The refusal's headers: the challenges and, to a DPoP client, the nonce to use next."""
    asked = asked or _flask_headers()
    headers = {"WWW-Authenticate": challenge(exc, scope=scope, asked=asked)}
    if provider.settings.dpop_require_nonce and (isinstance(exc, dpop.UseDpopNonce) or asked.dpop):
        headers.update(nonce_headers(provider))
    return headers


def status_of(exc: OidcError) -> int:
    """RFC 9449 section 7.1: a bad proof at a resource is 401, like a bad token."""
    if isinstance(exc, dpop.DpopError | InvalidToken | InsufficientUserAuthentication):
        return 401
    return exc.status


def nonce_headers(provider: Provider) -> dict[str, str]:
    """RFC 9449 section 8/9: the current nonce, for the client's next proof (none: not required)."""
    if not provider.settings.dpop_require_nonce:
        return {}
    return {"DPoP-Nonce": nonces(provider).current(int(time.time())),
            "Access-Control-Expose-Headers": "DPoP-Nonce, WWW-Authenticate"}


def add_nonce(provider: Provider, response: Response) -> Response:
    """RFC 9449 section 8/9: the current nonce, for the client's next proof."""
    for name, value in nonce_headers(provider).items():
        response.headers[name] = value
    return response


def offer_nonce(response: Response) -> Response:
    """RFC 9449 sections 8 and 9 (an `after_request` of the APIs that take DPoP proofs): the
    answer to a request that carried a proof gives the nonce the next proof must carry, when
    nonces are required, as /token and /userinfo do; else a client learnt a new nonce only from
    a use_dpop_nonce refusal, one per rollover. A refusal's own nonce stays (`challenge_headers`)."""
    if request.environ.get("HTTP_DPOP") and "DPoP-Nonce" not in response.headers:
        add_nonce(current_provider(), response)
    return response

