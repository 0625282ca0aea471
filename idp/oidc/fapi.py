"""The FAPI 2.0 Security Profile (section 5) for the clients registered with it
(`security_profile: "fapi2"`, the default for clients asking for restricted scopes; see
clients/registry/metadata.py for the registration side).

Each rule is one function, called where the rule applies, so that a renamed hook cannot
silently drop it. Rules every client already follows (PKCE S256, response_type=code, RFC 9207
`iss`, the issuer as a client assertion's one audience by default) are not repeated here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from clients.registry import Client
from idp.oidc.errors import AuthorizationError, InvalidClient, OidcError

PROFILE = "fapi2"
ALGS = ("ES256", "PS256")  # section 5.4.1: PS256 or ES256 (EdDSA not offered here)
MAX_CODE_SECONDS = 60  # section 5.3.2.1: an authorization code lives at most 60 seconds


def applies(client: Client) -> bool:
    return client.client_metadata.get("security_profile") == PROFILE


def check_authorization(client: Client, params: Mapping[str, Sequence[str]], *, pushed: bool,
                        redirect_uri: str) -> None:
    """Section 5.3.2.2: only pushed requests (PAR), with their redirect_uri, to an https one."""
    if not applies(client):
        return
    if not pushed:
        raise AuthorizationError("FAPI 2.0 clients push their authorization requests to the pushed "
                                 "authorization request endpoint (RFC 9126 section 5)")
    if not params.get("redirect_uri"):
        raise AuthorizationError("FAPI 2.0: the pushed request must carry redirect_uri")
    if not redirect_uri.startswith("https://"):
        raise AuthorizationError("FAPI 2.0: the redirect URI must use https")


def check_client_authentication(client: Client, *, method: str) -> None:
    """Section 5.3.2.1: private_key_jwt only (mutual TLS is not offered), never a secret."""
    if applies(client) and method != "private_key_jwt":
        raise InvalidClient(f"FAPI 2.0 clients authenticate with private_key_jwt, not {method}")


def strict_audience(client: Client) -> bool:
    """Section 5.3.2.1: the issuer, as a string, is the only audience of a client assertion."""
    return applies(client)


def check_signing_alg(client: Client, alg: str, *, what: str, error: type[OidcError] = OidcError) -> None:
    """Section 5.4.1: ES256 or PS256 for every signature a FAPI client makes."""
    if applies(client) and alg not in ALGS:
        raise error(f"FAPI 2.0: {what} must be signed with {' or '.join(ALGS)}, not {alg}")


def requires_dpop(client: Client) -> bool:
    """Section 5.3.2.1: sender-constrained access tokens (DPoP, as mutual TLS is not offered)."""
    return applies(client) or bool(client.client_metadata.get("dpop_bound_access_tokens"))


def code_seconds(*, fapi: bool, configured: int) -> int:
    return min(configured, MAX_CODE_SECONDS) if fapi else configured
