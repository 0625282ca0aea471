"""Registering, reading, updating and authenticating agency clients.

Secrets (client secrets, registration access tokens, initial access tokens) are 256-bit random
values, shown once and stored as SHA-256 digests: a fast hash is safe for secrets this long.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from clients.registry.localized import agency_name
from clients.registry.metadata import ClientMetadataError, Permissions, validate_metadata
from clients.registry.models import Client, InitialAccessToken
from clients.registry.provider_rules import check_provider_rule
from infra.components import Slot
from infra.utc import as_utc

# private_key_jwt `aud` rules (see Client.assertion_audience).
ASSERTION_AUDIENCES = ("strict", "legacy")
# Fetches a sector_identifier_uri and returns the parsed JSON (OIDC Core 1.0, section 8.1).
SectorFetcher = Callable[[str], Any]


class ClientRegistryError(Exception):
    """Base of the registry's errors; `error` is the RFC 7591 / RFC 6749 code."""

    error = "invalid_request"


class ClientNotFound(ClientRegistryError):
    error = "invalid_client"


class InvalidInitialToken(ClientRegistryError):
    error = "invalid_token"


@dataclass(frozen=True)
class Registration:
    """A newly registered client with the secrets shown only now."""

    client: Client
    client_secret: str | None
    registration_access_token: str | None


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


def _now() -> datetime:
    return datetime.now(UTC)


def fetch_sector_identifier(uri: str) -> Any:
    """GET the sector_identifier_uri through the application's guarded outbound client
    (public https hosts only, a total time budget, 64 KiB at most).

    The answer proves that the sector's host lists the client's redirect URIs (OIDC Core 1.0
    section 8.1), so it must come from that host: a redirect elsewhere (an open redirect on an
    agency's site pointing to a list the registering party wrote) is refused."""
    from infra.outbound import OutboundError, get_outbound

    response = get_outbound().get(uri, max_bytes=64 * 1024)
    if response.status != 200:
        raise OutboundError("status", f"answered {response.status}")
    if (urlsplit(response.url).hostname or "").lower() != (urlsplit(uri).hostname or "").lower():
        raise OutboundError("redirects", f"redirected to another host: {response.url.split('?', 1)[0][:200]}")
    return response.json()


def _check_sector(metadata: Mapping[str, Any], fetch: SectorFetcher) -> None:
    """OIDC Core 1.0 section 8.1 and Registration 1.0 section 2: one sector per pairwise client."""
    if metadata["subject_type"] != "pairwise":
        return
    uri = metadata.get("sector_identifier_uri")
    if uri is None:
        hosts = {urlsplit(u).hostname for u in metadata["redirect_uris"]}
        if len(hosts) > 1:
            raise ClientMetadataError(
                "sector_identifier_uri",
                "redirect URIs on several hosts need a sector_identifier_uri listing them all")
        return
    if urlsplit(uri).scheme != "https":
        raise ClientMetadataError("sector_identifier_uri", "must use https")
    try:
        listed = fetch(uri)
    except Exception:  # any network or parse failure is the client's to fix; never say which
        raise ClientMetadataError(
            "sector_identifier_uri", "could not be fetched: it must be a public https URL that answers "
            "200 with a JSON array of redirect URIs (at most 64 KiB) within a few seconds") from None
    if not isinstance(listed, list) or not all(isinstance(u, str) for u in listed):
        raise ClientMetadataError("sector_identifier_uri", "must return a JSON array of redirect URIs")
    missing = [u for u in metadata["redirect_uris"] if u not in listed]
    if missing:
        raise ClientMetadataError("sector_identifier_uri", f"does not list {', '.join(missing)}")


def _loopback_host(host: str) -> bool:
    if host in ("localhost", "localhost.") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def computed_sector(metadata: Mapping[str, Any], client_id: str, *, vouched: bool) -> str:
    """OIDC Core 1.0 section 8.1: the host of the sector_identifier_uri, else of the redirect
    URIs, that last only for a client an operator registered (`vouched`: the operator knows
    the host is its agency's). A client registered without an operator names any host it likes
    as a redirect URI (another agency's: an open redirect there, or a native app's embedded
    browser, brings the code back to it whatever the DNS says): without a sector_identifier_uri
    (which the host itself answers, listing its redirect URIs: `_check_sector`) it is a sector
    of its own, its client_id, and never shares an agency's pairwise `sub`.
    A client whose redirect URIs are on loopback (localhost, 127.0.0.0/8, ::1: every
    developer's and every native app's host, shared by unrelated clients) or use a private-use
    scheme (RFC 8252 section 7.1: whatever "host" it names, any app may claim it, and the code
    comes back to that app, not to the host) is a sector of its own: its client_id. So is one
    whose host is a single label (no dot): no public host, and spelt like a client_id (letters,
    digits, '-', '_'), that is another client's sector: the two would share every pairwise `sub`."""
    host = _host_sector(metadata)
    if host is None or "." not in host or not (vouched or metadata.get("sector_identifier_uri")):
        return client_id
    return host


def _host_sector(metadata: Mapping[str, Any]) -> str | None:
    """The host `computed_sector` reads (lower case), or None when the client's sector is its
    own whatever the host (loopback, a private-use redirect URI)."""
    redirects = metadata.get("redirect_uris") or [""]
    uri = metadata.get("sector_identifier_uri")
    if uri is None:
        if any(urlsplit(u).scheme not in ("https", "http") for u in redirects):
            return None  # one private-use URI is enough to receive the codes elsewhere
        uri = redirects[0]
    host = urlsplit(uri).hostname
    if not host or _loopback_host(host):
        return None
    return host.lower()


def sector_of(client: Client) -> str:
    """The sector of the client's pairwise subjects: fixed at its first grant, computed until then."""
    return client.sector or computed_sector(client.client_metadata, client.client_id,
                                            vouched=client.operator_registered)


def freeze_sector(session: Session, client: Client) -> str:
    """Fix the client's sector now (at its first grant), if not fixed yet; the sector in force.

    One conditional UPDATE: of concurrent first grants, the first to commit decides, and the
    others read its value (the same, unless the metadata changed in between)."""
    if client.sector is not None:
        return client.sector
    session.execute(sa.update(Client).where(Client.client_id == client.client_id, Client.sector.is_(None))
                    .values(sector=computed_sector(client.client_metadata, client.client_id,
                                                   vouched=client.operator_registered))
                    .execution_options(synchronize_session=False))
    return str(session.scalar(sa.select(Client.sector).where(Client.client_id == client.client_id)))


def _keep_sector(client: Client, validated: Mapping[str, Any]) -> None:
    """An update never moves a client whose sector is fixed to another one (that would give
    every citizen a new `sub` there): only an operator does, mapping old to new subjects."""
    if client.sector is None:
        return
    wanted = computed_sector(validated, client.client_id, vouched=client.operator_registered)
    # (a sector fixed at a one-label host before such hosts were a sector of their own stays)
    if wanted != client.sector and _host_sector(validated) != client.sector:
        raise ClientMetadataError(
            "redirect_uris",
            f"would move the client's pairwise subjects from sector {client.sector!r} to {wanted!r}; "
            f"the sector is fixed since the client's first sign-in so that citizens keep their "
            f"identifiers. Keep the first redirect URI (or the sector_identifier_uri) on {client.sector}, "
            "or ask an operator to move the client (cedula clients move-sector)",
            error="invalid_redirect_uri")


def _origin(uri: str) -> tuple[str | None, int | None]:
    parts = urlsplit(uri)
    return parts.hostname, parts.port or {"https": 443, "http": 80}.get(parts.scheme)


def _redirect_origins(redirect_uris: list[str]) -> set[tuple[str | None, int | None]]:
    """The origins the client's redirect URIs show it answers at: http(s) ones only. The "host"
    of a private-use scheme URI (RFC 8252 section 7.1) is whatever the app wrote: no proof."""
    return {_origin(u) for u in redirect_uris if urlsplit(u).scheme in ("https", "http")}


def _check_backchannel(validated: Mapping[str, Any], *, approved: str | None) -> None:
    """A back-channel logout endpoint on the host (and port) of a redirect URI, or one an
    operator approved: the provider POSTs to it on its own, so an agency must not be able to
    point it anywhere else (`cedula clients approve-backchannel`)."""
    uri = validated.get("backchannel_logout_uri")
    if uri is None or uri == approved:
        return
    if _origin(uri) in _redirect_origins(validated["redirect_uris"]):
        return
    hosts = ", ".join(sorted({urlsplit(u).netloc for u in validated["redirect_uris"]
                              if urlsplit(u).scheme in ("https", "http")})) or "none"
    raise ClientMetadataError(
        "backchannel_logout_uri",
        f"must be on the host of a redirect URI ({hosts}); an endpoint on {urlsplit(uri).netloc} "
        "needs an operator's approval (cedula clients approve-backchannel CLIENT_ID URI)")


def _screen(validated: Mapping[str, Any], screen: Callable[[str], None] | None) -> None:
    """The URLs the provider itself will call: no loopback, private or numeric hosts, https."""
    check = screen or _default_screen
    for field in ("jwks_uri", "sector_identifier_uri", "backchannel_logout_uri"):
        if field in validated:
            try:
                check(validated[field])
            except Exception:
                raise ClientMetadataError(
                    field, "must be an https URL on a public host (the provider calls it; "
                    "private, loopback and link-local addresses are refused)") from None


def _default_screen(url: str) -> None:
    from infra.outbound import get_outbound

    get_outbound().screen(url)


def new_client_id() -> str:
    """A random client_id (128 bits) that never starts with "-": operators pass it to commands
    (`cedula clients show ID`), where a leading dash would read as an option."""
    while True:
        candidate = secrets.token_urlsafe(16)
        if not candidate.startswith("-"):
            return candidate


def register_client(
    session: Session,
    *,
    metadata: Mapping[str, Any],
    permissions: Permissions,
    client_id: str | None = None,
    with_registration_token: bool = False,
    fetch_sector: SectorFetcher = fetch_sector_identifier,
    screen: Callable[[str], None] | None = None,
) -> Registration:
    """Validate and store a client (RFC 7591 section 3.1); secrets are returned once.

    An operator's registration approves the back-channel logout URI it names."""
    validated = validate_metadata(metadata, permissions)
    check_provider_rule(validated)
    _screen(validated, screen)
    approved = _approval(validated) if permissions.operator else None
    _check_backchannel(validated, approved=approved)
    _check_sector(validated, fetch_sector)
    client_secret = None
    if validated["token_endpoint_auth_method"] in ("client_secret_basic", "client_secret_post"):
        client_secret = secrets.token_urlsafe(32)
    registration_token = secrets.token_urlsafe(32) if with_registration_token else None
    now = _now()
    client = Client(
        client_id=client_id or new_client_id(),
        secret_hash=_digest(client_secret) if client_secret else None,
        registration_token_hash=_digest(registration_token) if registration_token else None,
        client_metadata=validated,
        operator_registered=permissions.operator,
        enabled=True,
        assertion_audience="strict",
        backchannel_approved_uri=approved,
        created_at=now,
        updated_at=now,
    )
    session.add(client)
    session.flush()
    return Registration(client, client_secret, registration_token)


def update_client(
    session: Session,
    client: Client,
    *,
    metadata: Mapping[str, Any],
    fetch_sector: SectorFetcher = fetch_sector_identifier,
    screen: Callable[[str], None] | None = None,
) -> Client:
    """RFC 7592 section 2.2: replace the metadata; restricted grants stay as the operator set
    them, and so do the sector, the audience rule and the approved back-channel URI."""
    previous = client.client_metadata
    permissions = Permissions(operator=client.operator_registered,
                              extra_scopes=tuple(previous.get("scope", "").split()))
    validated = validate_metadata(metadata, permissions)
    check_provider_rule(validated)
    if validated["token_endpoint_auth_method"] != previous["token_endpoint_auth_method"]:
        raise ClientMetadataError("token_endpoint_auth_method",
                                  "cannot be changed; register a new client instead")
    _screen(validated, screen)
    _check_backchannel(validated, approved=client.backchannel_approved_uri)
    _keep_sector(client, validated)
    _check_sector(validated, fetch_sector)
    client.client_metadata = validated
    client.updated_at = _now()
    return client


def _approval(validated: Mapping[str, Any]) -> str | None:
    """The back-channel URI an operator's registration approves: one off the redirect hosts."""
    uri = validated.get("backchannel_logout_uri")
    if uri is None or _origin(uri) in _redirect_origins(validated["redirect_uris"]):
        return None
    return uri


def approve_backchannel(session: Session, client_id: str, uri: str) -> Client:
    """An operator allows a back-channel logout endpoint off the client's redirect hosts, and
    sets it (Back-Channel Logout 1.0 section 2.2 metadata), keeping the session requirement."""
    client = find_client(session, client_id, enabled_only=False)
    metadata = {**client.client_metadata, "backchannel_logout_uri": uri}
    validated = validate_metadata(metadata, Permissions(operator=True,
                                                        extra_scopes=tuple(metadata.get("scope", "").split())))
    check_provider_rule(validated)
    _screen(validated, None)
    client.backchannel_approved_uri = validated["backchannel_logout_uri"]
    client.client_metadata = validated
    client.updated_at = _now()
    return client


def set_assertion_audience(session: Session, client_id: str, rule: str) -> Client:
    """An operator sets the private_key_jwt audience rule of a client: strict or legacy."""
    if rule not in ASSERTION_AUDIENCES:
        raise ClientRegistryError(f"the audience rule must be one of {', '.join(ASSERTION_AUDIENCES)}, got {rule!r}")
    client = find_client(session, client_id, enabled_only=False)
    client.assertion_audience = rule
    client.updated_at = _now()
    return client


def find_client(session: Session, client_id: str, *, enabled_only: bool = True) -> Client:
    client = session.scalar(sa.select(Client).where(Client.client_id == client_id))
    if client is None or (enabled_only and not client.enabled):
        raise ClientNotFound(f"no {'enabled ' if enabled_only else ''}client {client_id!r}")
    return client


def agency_names(session: Session, client_ids: Iterable[str], locale: str | None) -> dict[str, str]:
    """client_id -> the agency's name in `locale` (localized: the tagged name, else the plain
    one), for the clients that are still registered; one query."""
    wanted = {c for c in client_ids if c}
    if not wanted:
        return {}
    rows = session.scalars(sa.select(Client).where(Client.client_id.in_(wanted)))
    return {client.client_id: agency_name(client, locale) for client in rows}


def registered_metadata(session: Session, client_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """client_id -> its registered metadata, for the clients that are still registered; one
    query (to read back stored snapshots with `localized.recognised`)."""
    wanted = {c for c in client_ids if c}
    if not wanted:
        return {}
    rows = session.scalars(sa.select(Client).where(Client.client_id.in_(wanted)))
    return {client.client_id: dict(client.client_metadata) for client in rows}


def list_clients(session: Session) -> list[Client]:
    return list(session.scalars(sa.select(Client).order_by(Client.created_at, Client.id)))


def set_enabled(session: Session, client_id: str, *, enabled: bool) -> Client:
    client = find_client(session, client_id, enabled_only=False)
    client.enabled = enabled
    client.updated_at = _now()
    return client


class ClientDeleted(Protocol):
    """Told, in the deletion's transaction, that a client's registration was deleted:
    `idp.oidc` revokes its grants (RFC 7592 section 2.3), so the registry never imports it."""

    def __call__(self, session: Session, client_id: str, *, now: datetime) -> object: ...


ON_DELETED: Slot[ClientDeleted] = Slot("client deletion listener")


def delete_client(session: Session, client: Client) -> None:
    """RFC 7592 section 2.3: the client is disabled, its secret and registration token voided,
    and (`ON_DELETED`) every grant it holds revoked with the tokens issued from them: an
    operator who enables the client again brings back none of them.

    The row stays so that audit records and issued documents keep naming the agency.
    """
    now = _now()
    client.enabled = False
    client.registration_token_hash = None
    client.secret_hash = None
    client.updated_at = now
    if has_app_context() and ON_DELETED.installed(current_app):
        ON_DELETED.of()(session, client.client_id, now=now)


def check_secret(client: Client, presented: str) -> bool:
    """Constant-time check of a client secret (RFC 6749 section 2.3.1)."""
    stored = client.secret_hash  # read once: each read of a mapped attribute is a Python call (issue 16)
    if stored is None or not presented:
        return False
    return hmac.compare_digest(stored, _digest(presented))


def check_registration_token(client: Client, presented: str) -> bool:
    if client.registration_token_hash is None or not presented:
        return False
    return hmac.compare_digest(client.registration_token_hash, _digest(presented))


def rotate_registration_token(session: Session, client: Client, presented: str) -> str | None:
    """RFC 7592 section 3: every client information response carries the registration access
    token, and only its hash is kept, so each read or update answers with a new one, which
    replaces `presented` (RFC 7592 section 2.1: the client then discards the old one). A copy
    of the token taken by someone else dies with the client's next use, and theirs shows.

    A compare-and-set on the presented token's hash: of concurrent requests with one token,
    exactly one gets a new token (None for the others: their token is no longer valid)."""
    if not presented:
        return None
    token = secrets.token_urlsafe(32)
    won = session.execute(
        sa.update(Client)
        .where(Client.client_id == client.client_id, Client.registration_token_hash == _digest(presented))
        .values(registration_token_hash=_digest(token))
        .returning(Client.client_id)
        .execution_options(synchronize_session=False)).first()
    if won is None:
        return None
    set_committed_value(client, "registration_token_hash", _digest(token))
    return token


def issue_initial_token(
    session: Session, *, label: str = "", scopes: tuple[str, ...] = (), uses: int = 1,
    valid_for: timedelta = timedelta(days=7),
) -> str:
    """An initial access token for RFC 7591 dynamic registration, shown once."""
    token = secrets.token_urlsafe(32)
    now = _now()
    session.add(InitialAccessToken(token_hash=_digest(token), label=label, scopes=list(scopes),
                                   uses_left=uses, expires_at=now + valid_for, created_at=now))
    return token


_NEW_INITIAL = ("ask Cédula's operator for a new one (`cedula clients initial-token`, "
                "valid 7 days and for one registration unless they say otherwise)")


def spend_initial_token(session: Session, presented: str) -> Permissions:
    """Use one registration of an initial access token; the permissions it carries.

    A compare-and-set (`uses_left = uses_left - 1 WHERE uses_left > 0`): of any number of
    concurrent registrations with a single-use token exactly one spends it, on every backend.
    The use is given back if the registration fails (same transaction)."""
    digest = _digest(presented)
    spent = session.execute(
        sa.update(InitialAccessToken)
        .where(InitialAccessToken.token_hash == digest, InitialAccessToken.uses_left > 0)
        .values(uses_left=InitialAccessToken.uses_left - 1)
        .returning(InitialAccessToken.expires_at, InitialAccessToken.scopes)
        .execution_options(synchronize_session=False)
    ).first()
    if spent is None:
        known = session.scalar(sa.select(InitialAccessToken.id).where(InitialAccessToken.token_hash == digest))
        if known is None:
            raise InvalidInitialToken(f"the initial access token is not valid: send it as given to you, "
                                      f"or {_NEW_INITIAL}")
        raise InvalidInitialToken(f"the initial access token has expired or been used up: {_NEW_INITIAL}")
    if as_utc(spent.expires_at) <= _now():
        # Raised inside the caller's transaction: the decrement above is rolled back with it.
        raise InvalidInitialToken(f"the initial access token has expired or been used up: {_NEW_INITIAL}")
    return Permissions(operator=False, extra_scopes=tuple(spent.scopes or ()))


def public_metadata(client: Client, *, issuer: str) -> dict[str, Any]:
    """RFC 7591 section 3.2.1 / RFC 7592 section 3: the client information response."""
    body: dict[str, Any] = {
        "client_id": client.client_id,
        "client_id_issued_at": int(client.created_at.timestamp()),
        **client.client_metadata,
    }
    if client.secret_hash is not None:
        body["client_secret_expires_at"] = 0
    if client.registration_token_hash is not None:
        body["registration_client_uri"] = f"{issuer}/register/{client.client_id}"
    if not client.enabled:
        body["disabled"] = True
    return body



def upsert_operator_client(
    session: Session,
    *,
    client_id: str,
    metadata: Mapping[str, Any],
    fetch_sector: SectorFetcher = fetch_sector_identifier,
    loopback_redirects: bool = False,
) -> Client:
    """Create an operator-registered client with this id, or replace its metadata
    (`loopback_redirects`: the embedded demo's FAPI 2.0 portals on http://localhost)."""
    permissions = Permissions(operator=True, loopback_redirects=loopback_redirects)
    try:
        client = find_client(session, client_id, enabled_only=False)
    except ClientNotFound:
        return register_client(session, metadata=metadata, permissions=permissions,
                               client_id=client_id, fetch_sector=fetch_sector).client
    validated = validate_metadata(metadata, permissions)
    check_provider_rule(validated)
    _screen(validated, None)
    client.backchannel_approved_uri = _approval(validated)
    _check_backchannel(validated, approved=client.backchannel_approved_uri)
    _keep_sector(client, validated)
    _check_sector(validated, fetch_sector)
    client.client_metadata = validated
    client.operator_registered = True
    # The operator manages it from now on: the portal's RFC 7592 token would otherwise go on
    # updating it with the operator's permissions (they follow operator_registered).
    client.registration_token_hash = None
    client.enabled = True
    if validated["token_endpoint_auth_method"] not in ("client_secret_basic", "client_secret_post"):
        client.secret_hash = None
    client.updated_at = _now()
    return client


def rotate_secret(session: Session, client: Client) -> str:
    """A new client secret (the old one stops working at once); shown once."""
    if client.client_metadata["token_endpoint_auth_method"] not in ("client_secret_basic", "client_secret_post"):
        raise ClientRegistryError(f"client {client.client_id} does not authenticate with a secret")
    secret = secrets.token_urlsafe(32)
    client.secret_hash = _digest(secret)
    client.updated_at = _now()
    return secret
