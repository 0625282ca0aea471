"""Pushed Authorization Requests (RFC 9126).

A client sends its authorization request straight to the provider (`push`), authenticated as
at /token, and gets a `request_uri` that names it: single use, alive `par_seconds` (60 by
default, RFC 9126 section 2.2), usable only by the client that pushed it (section 4). The
authorization endpoint then reads the request from here (`take`), never from the browser.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from idp.oidc import parameters
from idp.oidc.errors import InvalidRequestUri
from idp.oidc.request import PARAMETERS
from infra.store import EphemeralStore

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
STORE_PREFIX = "oidc:par:"
# Parameters a pushed request must not carry (RFC 9126 section 2.1: request_uri; the client's
# credentials are not part of the authorization request).
NOT_PUSHED = ("request_uri", "client_secret", "client_assertion", "client_assertion_type")

Params = dict[str, list[str]]


@dataclass(frozen=True)
class Pushed:
    """RFC 9126 section 2.2: the answer to a pushed request."""

    request_uri: str
    expires_in: int

    def to_json(self) -> dict[str, object]:
        return {"request_uri": self.request_uri, "expires_in": self.expires_in}


def _key(request_uri: str) -> str:
    return STORE_PREFIX + hashlib.sha256(request_uri.encode("utf-8")).hexdigest()


def authorization_params(form: Mapping[str, Sequence[str]], *, client_id: str) -> Params:
    """The authorization request in a PAR body: everything but the client's credentials, with
    `client_id` the authenticated client (RFC 9126 section 2.1); a parameter sent without a
    value is omitted (RFC 6749 section 3.1)."""
    params = {name: list(values) for name, values in parameters.without_empty(form).items()
              if name not in NOT_PUSHED}
    params["client_id"] = [client_id]
    return params


def push(store: EphemeralStore, *, client_id: str, params: Params, lifetime: int, now: int) -> Pushed:
    """Keep a validated request under a new `request_uri` (256 bits of randomness): the
    parameters /authorize reads only (any other is ignored there, RFC 6749 section 3.1, and
    kept here it would let a client fill the store with whatever it sends)."""
    request_uri = REQUEST_URI_PREFIX + secrets.token_urlsafe(32)
    kept = {name: values for name, values in params.items() if name in PARAMETERS}
    record = {"client_id": client_id, "params": kept, "exp": now + lifetime}
    store.set(_key(request_uri), json.dumps(record).encode("utf-8"), lifetime)
    return Pushed(request_uri=request_uri, expires_in=lifetime)


def names_pushed(values: Sequence[str] | None) -> bool:
    """Whether a request's `request_uri` values name a pushed request (the URN this provider
    issues, RFC 9126 section 2.2; `take` checks the rest). Any other request_uri (a URL of a
    request object, OIDC Core 6.2) is refused by request validation as not supported, with no
    fetch: request_uri_parameter_supported is false."""
    return any(value.startswith(REQUEST_URI_PREFIX) for value in values or ())


def take(store: EphemeralStore, *, request_uri: str, client_id: str | None, now: int) -> Params:
    """RFC 9126 section 4: the pushed request `request_uri` names, once, for its own client.

    A request_uri presented by another client is refused and stays usable by its own (a
    stranger who saw it cannot spend it); an expired or spent one is refused."""
    if not request_uri.startswith(REQUEST_URI_PREFIX) or len(request_uri) > 200:
        raise InvalidRequestUri("request_uri is not one this provider issued at its pushed "
                                "authorization request endpoint (RFC 9126)")
    if not client_id:
        raise InvalidRequestUri("client_id is required with request_uri (RFC 9126 section 4)")
    key = _key(request_uri)
    raw = store.get(key)
    if raw is None:
        raise InvalidRequestUri("request_uri has expired or was already used; push the request again")
    record = json.loads(raw)
    if record["client_id"] != client_id:
        raise InvalidRequestUri("request_uri was pushed by another client")
    if store.take(key) is None:
        raise InvalidRequestUri("request_uri was already used; push the request again")
    if int(record["exp"]) <= now:
        raise InvalidRequestUri("request_uri has expired; push the request again")
    params: Params = record["params"]
    return params
