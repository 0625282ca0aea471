"""Provider metadata (OpenID Connect Discovery 1.0 section 3, RFC 8414 section 2): exactly
what this provider supports, nothing more.
"""

from __future__ import annotations

from typing import Any

from idp.oidc import claims, client_auth, client_credentials, dpop, introspection, jarm, tokens
from idp.oidc.request import PROMPTS, SCOPES
from idp.oidc.settings import LEVELS, OidcSettings


def metadata(settings: OidcSettings, *, ui_locales: list[str]) -> dict[str, Any]:
    """The document served at /.well-known/openid-configuration."""
    auth_methods = list(client_auth.METHODS)
    return {
        "issuer": settings.issuer,
        "authorization_endpoint": settings.authorization_endpoint,
        "token_endpoint": settings.token_endpoint,
        "userinfo_endpoint": settings.userinfo_endpoint,
        "jwks_uri": settings.jwks_uri,
        "registration_endpoint": settings.registration_endpoint,
        "introspection_endpoint": settings.introspection_endpoint,
        "revocation_endpoint": settings.revocation_endpoint,
        # RFC 9126 section 5.
        "pushed_authorization_request_endpoint": settings.pushed_authorization_request_endpoint,
        "require_pushed_authorization_requests": settings.require_pushed_authorization_requests,
        # The citizen's scopes and the agency's own (client credentials, granted by an operator).
        "scopes_supported": [*SCOPES, *client_credentials.SCOPES],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", *jarm.MODES],
        "authorization_signing_alg_values_supported": [jarm.ALG],  # JARM section 4.1
        "introspection_signing_alg_values_supported": [introspection.SIGNED_ALG],  # RFC 9701 section 7
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["pairwise", "public"],
        "id_token_signing_alg_values_supported": list(tokens.ID_TOKEN_ALGS),
        "token_endpoint_auth_methods_supported": auth_methods,
        "token_endpoint_auth_signing_alg_values_supported": list(client_auth.ASSERTION_ALGS),
        # RFC 7662 section 2.1: public clients (`none`) may not introspect.
        "introspection_endpoint_auth_methods_supported": [m for m in auth_methods if m != "none"],
        "introspection_endpoint_auth_signing_alg_values_supported": list(client_auth.ASSERTION_ALGS),
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_signing_alg_values_supported": list(client_auth.ASSERTION_ALGS),
        "code_challenge_methods_supported": ["S256"],
        # RFC 9449 section 5.1.
        "dpop_signing_alg_values_supported": list(dpop.ALGS),
        "claims_supported": list(claims.SUPPORTED),
        "claim_types_supported": ["normal"],
        "claims_parameter_supported": True,
        # RFC 9101 (signed, never encrypted nor `none`); request_uri only from /par (RFC 9126).
        "request_parameter_supported": True,
        "request_object_signing_alg_values_supported": list(client_auth.ASSERTION_ALGS),
        "request_uri_parameter_supported": False,
        "acr_values_supported": [settings.acr_uris[level] for level in LEVELS],
        "prompt_values_supported": list(PROMPTS),
        "ui_locales_supported": ui_locales,
        "authorization_response_iss_parameter_supported": True,
        # OIDC RP-Initiated Logout 1.0 section 2.1; Back-Channel Logout 1.0 section 2.1.
        "end_session_endpoint": f"{settings.issuer}/end-session",
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        # Discovery 1.0 section 3 / RFC 8414 section 2: the guide for agency developers.
        "service_documentation": f"{settings.issuer}/developers",
    }
