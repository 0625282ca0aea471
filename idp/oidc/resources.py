"""Resource indicators (RFC 8707): agencies' APIs registered as protected resources.

A client names the API it wants a token for with `resource` at the token endpoint (section
2.2); the access token then has that API's identifier as its only `aud` and only the granted
scopes the API accepts, so a token for one agency's API is refused by every other: by its
`aud` when the API checks the JWT, by introspection (RFC 7662), where only the API's own
client (its owner) learns that a token for it is active.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import SplitResult, urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.oidc.codes import CodeGrant
from idp.oidc.errors import OidcError
from idp.oidc.models import Resource
from infra.db import Database


class InvalidTarget(OidcError):
    """RFC 8707 section 2: the resource is unknown, not for this client, or not usable here."""

    error = "invalid_target"


class ResourceRegistrationError(ValueError):
    """What an operator asked for cannot be registered (the message says why)."""


SEVERAL_AUTHORIZED = "the authorization named several resources: name one with resource"


@dataclass(frozen=True)
class Audience:
    """What a token for a resource carries: its identifier and the scopes left."""

    identifier: str
    scopes: list[str]


def check_identifier(uri: str, *, issuer: str) -> str:
    """RFC 8707 section 2: an absolute URI without a fragment (https, or http on loopback), and
    not the provider itself: neither the issuer (the `aud` of every citizen's token for the
    provider, which no API's owner may introspect) nor any of its endpoints under it."""
    parts = urlsplit(uri)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.fragment or "#" in uri:
        raise ResourceRegistrationError(f"{uri!r} must be an absolute https URI without a fragment")
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        raise ResourceRegistrationError(f"{uri!r} must use https (http only for localhost)")
    if parts.query or len(uri) > 500:
        raise ResourceRegistrationError(f"{uri!r} must have no query and at most 500 characters")
    if _under(parts, urlsplit(issuer)):
        raise ResourceRegistrationError(f"{uri!r} names the provider's own identifier ({issuer}) or one of its "
                                        "endpoints; register the agency's API under the agency's own URI, "
                                        "e.g. https://api.agency.example.gov/service")
    return uri


def _under(parts: SplitResult, issuer: SplitResult) -> bool:
    """Whether `parts` is the issuer's origin with the issuer's path or one below it."""
    if _origin(parts) != _origin(issuer):
        return False
    base, path = issuer.path.rstrip("/"), parts.path.rstrip("/")
    return path == base or path.startswith(base + "/")


def _origin(parts: SplitResult) -> tuple[str, str | None, int | None]:
    """Scheme, host and port, the scheme's default port written out (RFC 3986 section 6.2.3)."""
    scheme = parts.scheme.lower()
    return scheme, parts.hostname, parts.port or {"https": 443, "http": 80}.get(scheme)


def register(session: Session, *, identifier: str, name: str, scopes: Iterable[str], clients: Iterable[str],
             owner: str, now: datetime, offered: Sequence[str], issuer: str) -> Resource:
    """Register an agency's API (the operator's `cedula resources register`); `offered`: the
    provider's scopes (idp.oidc.request.SCOPES); `issuer`: the provider's, never an API's."""
    identifier = check_identifier(identifier, issuer=issuer)
    scope_list = list(dict.fromkeys(scopes))
    unknown = [s for s in scope_list if s not in offered or s == "offline_access"]
    if not scope_list or unknown:
        names = ", ".join(s for s in offered if s != "offline_access")
        raise ResourceRegistrationError(f"scopes must be some of {names}"
                                        + (f"; not {' '.join(unknown)}" if unknown else ""))
    if not name.strip() or len(name) > 200:
        raise ResourceRegistrationError("the name must be text of 1 to 200 characters")
    if session.scalar(sa.select(Resource.id).where(Resource.identifier == identifier)) is not None:
        raise ResourceRegistrationError(f"{identifier} is already registered")
    client_list = list(dict.fromkeys([*clients, owner]))
    resource = Resource(identifier=identifier, name=name.strip(), scopes=scope_list, clients=client_list,
                        owner=owner, created_at=now)
    session.add(resource)
    session.flush()
    return resource


def find(session: Session, identifier: str) -> Resource | None:
    return session.scalar(sa.select(Resource).where(Resource.identifier == identifier))


def check_requested(session: Session, *, identifiers: Sequence[str], client_id: str, issuer: str) -> None:
    """RFC 8707 section 2.1: every `resource` of an authorization request is a registered API
    this client may get tokens for (or the provider itself)."""
    for identifier in identifiers:
        if identifier == issuer:
            continue
        found = find(session, identifier) if len(identifier) <= 500 else None
        if found is None:
            raise InvalidTarget(f"{identifier!r} is not a resource registered with this provider")
        if client_id not in found.clients:
            raise InvalidTarget(f"this client may not get tokens for {identifier}")


def audience(session: Session, *, resource: str | None, client_id: str, scopes: Sequence[str],
             issuer: str, authorized: Sequence[str] = ()) -> Audience | None:
    """RFC 8707 section 2.2: the audience and scopes of a token asked for `resource` (None: no
    resource asked, or the provider itself: the usual token). `authorized`: the resources of
    the authorization request, if it named any: the token may be for one of them only (the
    only one, when the token request names none)."""
    if authorized:
        if resource is None and len(authorized) == 1:
            resource = authorized[0]
        elif resource is None:
            raise InvalidTarget(SEVERAL_AUTHORIZED)
        elif resource not in authorized:
            raise InvalidTarget(f"{resource} was not among the resources of the authorization request")
    if resource is None or resource == issuer:
        return None
    found = find(session, resource) if len(resource) <= 500 else None
    if found is None:
        raise InvalidTarget(f"{resource!r} is not a resource registered with this provider")
    if client_id not in found.clients:
        raise InvalidTarget(f"this client may not get tokens for {resource}")
    kept = [s for s in scopes if s in found.scopes]
    if not kept:
        raise InvalidTarget(f"the grant holds none of the scopes {resource} accepts ({' '.join(found.scopes)})")
    return Audience(identifier=found.identifier, scopes=kept)


def check_code_target(database: Database, granted: CodeGrant | None, *, resource: str, client_id: str,
                      held: Iterable[str], issuer: str) -> None:
    """`audience` for a code exchange that names `resource`, checked on the code as it is (read,
    not taken: `codes.peek`) before the code is spent: a target refused with invalid_target takes
    nothing, and the agency sends the code again with a resource its authorization allows. The
    code's scopes are cut to those the agency holds (`held`); the exchange checks again on the
    grant (the citizen's decision may narrow it). None found: the exchange refuses it as usual."""
    if granted is None:
        return
    kept = set(held)
    with database.lazy_read() as session:
        audience(session, resource=resource, client_id=client_id, scopes=[s for s in granted.scopes if s in kept],
                 issuer=issuer, authorized=granted.resources)


def owned_by(session: Session, identifier: str, client_id: str) -> bool:
    """Whether `client_id` is the API registered as `identifier` (it may introspect its tokens)."""
    found = find(session, identifier) if isinstance(identifier, str) else None
    return found is not None and found.owner == client_id
