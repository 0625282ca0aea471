"""The FAPI 2.0 Security Profile (section 5) for the clients registered with it
(`security_profile: "fapi2"`, the default for clients asking for restricted scopes; see
clients/registry/metadata.py for the registration side).

Each rule is one function, called where the rule applies, so that a renamed hook cannot
silently drop it. Rules every client already follows (PKCE S256, response_type=code, RFC 9207
`iss`, the issuer as a client assertion's one audience by default) are not repeated here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from clients.registry import Client, ClientMetadataError
from idp.assurance.levels import rank
from idp.oidc.errors import AuthorizationError, InvalidClient, OidcError

PROFILE = "fapi2"
ALGS = ("ES256", "PS256")  # section 5.4.1: PS256 or ES256 (EdDSA, which it also allows, is not taken here)
MAX_CODE_SECONDS = 60  # section 5.3.2.1: an authorization code lives at most 60 seconds


def applies(client: Client) -> bool:
    return applies_to(client.client_metadata)


def applies_to(metadata: Mapping[str, Any]) -> bool:
    """`applies` for a client whose metadata the caller read already (each read of the mapped
    attribute is a Python call: issue 16, several per /token)."""
    return metadata.get("security_profile") == PROFILE


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def loopback(url: str) -> bool:
    """An http(s) URL on this machine (the embedded demo's provider and portals)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS


def check_authorization(client: Client, params: Mapping[str, Sequence[str]], *, pushed: bool,
                        redirect_uri: str, loopback_redirects: bool = False) -> None:
    """Section 5.3.2.2: only pushed requests (PAR), with their redirect_uri, to an https one
    (item 8; `loopback_redirects`: also http on this machine, the embedded demo's setting
    oidc.fapi_loopback_redirects, which a provider off loopback refuses to start with)."""
    if not applies(client):
        return
    if not pushed:
        raise AuthorizationError("FAPI 2.0 clients push their authorization requests to the pushed "
                                 "authorization request endpoint (RFC 9126 section 5)")
    if not params.get("redirect_uri"):
        raise AuthorizationError("FAPI 2.0: the pushed request must carry redirect_uri")
    if not redirect_uri.startswith("https://") and not (loopback_redirects and loopback(redirect_uri)):
        raise AuthorizationError("FAPI 2.0: the redirect URI must use https")


def check_client_authentication(client: Client, *, method: str, metadata: Mapping[str, Any] | None = None) -> None:
    """Section 5.3.2.1: private_key_jwt only (mutual TLS is not offered), never a secret.
    `metadata`: the client's, when the caller read it already."""
    if applies_to(client.client_metadata if metadata is None else metadata) and method != "private_key_jwt":
        raise InvalidClient(f"FAPI 2.0 clients authenticate with private_key_jwt, not {method}")


def strict_audience(client: Client) -> bool:
    """Section 5.3.2.1: the issuer, as a string, is the only audience of a client assertion."""
    return applies(client)


def check_signing_alg(client: Client, alg: str, *, what: str, error: type[OidcError] = OidcError,
                      accepted: Sequence[str] = ALGS, registered: str | None = None) -> None:
    """Section 5.4.1: ES256 or PS256 for every signature a FAPI client makes. The refusal names
    what this client may really use for `what`: the profile's algorithms that the provider
    `accepted` for it and, when the client registered one (`registered`), that one; if none is
    left, the registration to change."""
    if not applies(client) or alg in ALGS:
        return
    usable = [name for name in ALGS if name in accepted and registered in (None, name)]
    if usable:
        raise error(f"FAPI 2.0: {what} must be signed with {' or '.join(usable)}, not {alg}")
    raise error(f"FAPI 2.0: {what} must be signed with {' or '.join(name for name in ALGS if name in accepted)}, "
                f"not {alg}; this client registered {registered}: register one of those instead")


def requires_dpop(client: Client) -> bool:
    """Section 5.3.2.1: sender-constrained access tokens (DPoP, as mutual TLS is not offered)."""
    metadata = client.client_metadata  # read once (issue 16)
    return applies_to(metadata) or bool(metadata.get("dpop_bound_access_tokens"))


def max_level_of(metadata: Mapping[str, Any]) -> str:
    """The highest level of assurance a client may ask for: its `max_assurance_level`, else
    high on this profile and substantial off it (clients/registry/metadata.py)."""
    return str(metadata.get("max_assurance_level")
               or ("high" if metadata.get("security_profile") == PROFILE else "substantial"))


def requested_level(*, acr_values: Sequence[str], claim_acr: Sequence[str],
                    acr_uris: Mapping[str, str]) -> str | None:
    """The level a request makes the provider enforce (idp.oidc.assurance.enforce): for
    `acr_values` and for the `acr` claim each, the lowest known level named (a higher level
    satisfies a lower one; unknown values are ignored here); the higher of the two."""
    by_uri = {uri: level for level, uri in acr_uris.items()}
    floors = [min(known, key=rank) for known in ([by_uri[v] for v in values if v in by_uri]
                                                 for values in (acr_values, claim_acr)) if known]
    return max(floors, key=rank) if floors else None


def check_level(client: Client, *, acr_values: Sequence[str], claim_acr: Sequence[str],
                acr_uris: Mapping[str, str]) -> None:
    """Level high for FAPI 2.0 clients (issue 17: the profile goes with level high as with
    national_id): a request for a level above the client's `max_level_of` is refused at /authorize
    and /par with invalid_request (RFC 6749 section 4.1.2.1), before the citizen signs in."""
    wanted = requested_level(acr_values=acr_values, claim_acr=claim_acr, acr_uris=acr_uris)
    allowed = max_level_of(client.client_metadata)
    if wanted is None or rank(wanted) <= rank(allowed):
        return
    raise AuthorizationError(
        f"this client may ask for level {allowed} at most, not {wanted} ({acr_uris[wanted]}); level high "
        "is for clients registered with the FAPI 2.0 profile (security_profile fapi2) or with "
        "max_assurance_level high")


def check_default_level(metadata: Mapping[str, Any], *, acr_uris: Mapping[str, str]) -> None:
    """OIDC Registration 2: `default_acr_values` stand for a request's acr_values, so a level
    above the client's `max_level_of` would make `check_level` refuse every authorization that
    names none; it is refused at registration instead (the provider's rule on client metadata,
    clients.registry.provider_rules), naming the highest level the client may ask for."""
    wanted = requested_level(acr_values=metadata.get("default_acr_values") or (), claim_acr=(), acr_uris=acr_uris)
    allowed = max_level_of(metadata)
    if wanted is None or rank(wanted) <= rank(allowed):
        return
    raise ClientMetadataError(
        "default_acr_values", f"asks for level {wanted} ({acr_uris[wanted]}), above the highest this client "
        f"may ask for: {allowed} ({acr_uris[allowed]}); level high is for clients registered with the "
        "FAPI 2.0 profile (security_profile fapi2) or with max_assurance_level high")


def code_seconds(*, fapi: bool, configured: int) -> int:
    return min(configured, MAX_CODE_SECONDS) if fapi else configured
