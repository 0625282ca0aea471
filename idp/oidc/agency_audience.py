"""The audience of an agency's own access token (client credentials, RFC 6749 section 4.4).

Its own module because both the grant that issues these tokens (`idp.oidc.client_credentials`)
and the check that tells access tokens apart (`idp.oidc.bearer.identify`) need it.
"""

from __future__ import annotations

from idp.oidc.services import Provider


def audience(provider: Provider) -> str:
    """The resource the tokens are for (RFC 9068 section 3: `aud` names the resource server)."""
    return f"{provider.settings.issuer}/api/documents"
