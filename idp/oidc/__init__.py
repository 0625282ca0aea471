"""The OpenID Provider: OpenID Connect Core 1.0, authorization code flow with PKCE (RFC 7636),
RFC 9068 access tokens, refresh token rotation, RFC 7009 revocation and RFC 7662 introspection.

Agencies integrate with it as with any certified provider, starting from
`/.well-known/openid-configuration`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from idp.oidc.current import PROVIDER, provider
from idp.oidc.errors import (
    AuthorizationError,
    InsufficientScope,
    InvalidClient,
    InvalidGrant,
    InvalidToken,
    OidcError,
    UnsafeRedirect,
)
from idp.oidc.tokens import TokenSigner
from infra.config import get_settings
from infra.secrets import get_secrets

if TYPE_CHECKING:
    # Not at run time: importing any idp.oidc module would then load all the provider's operations.
    from idp.oidc.services import Provider

__all__ = [
    "PROVIDER",
    "AuthorizationError",
    "InsufficientScope",
    "InvalidClient",
    "InvalidGrant",
    "InvalidToken",
    "OidcError",
    "TokenSigner",
    "UnsafeRedirect",
    "init_app",
    "provider",
]


def init_app(app: Flask) -> Provider:
    """Read the [oidc] settings, connect to `keys/`, register the endpoints and their OpenAPI."""
    from functools import partial

    import keys
    from clients.registry.provider_rules import PROVIDER_RULE
    from clients.registry.services import ON_DELETED
    from idp.consent.issued_grants import ISSUED_GRANTS
    from idp.oidc import settings as oidc_settings
    from idp.oidc.client_cache import ClientCache
    from idp.oidc.client_deletion import ClientDeletion
    from idp.oidc.client_keys import RemoteKeySets, jwks_fetcher
    from idp.oidc.endpoints import bp as api_bp
    from idp.oidc.endpoints import route_directly
    from idp.oidc.fapi import check_default_level
    from idp.oidc.grant_withdrawal import GrantWithdrawal
    from idp.oidc.language_choice import init_app as follow_the_language_switch
    from idp.oidc.openapi import PATHS, SCHEMAS
    from idp.oidc.services import Provider
    from idp.oidc.signer import KeysSigner
    from idp.oidc.views import bp as pages_bp
    from idp.oidc.views import route_directly as route_pages_directly
    from idp.sessions import session_policy
    from infra.db import get_db
    from infra.invalidation import GenerationCache, Invalidation
    from infra.openapi import describe
    from infra.outbound import get_outbound
    from infra.store import get_store

    settings = get_settings(app)
    loaded = oidc_settings.load(settings, settings.issuer)
    invalidation = Invalidation(get_store(app))
    # Rows kept per process (clients, grants, citizens, consents): any update or delete of
    # them, by any process, advances the store's cache generation after its commit.
    invalidation.watch(get_db(app).engine, WATCHED_TABLES)
    built = Provider(
        settings=loaded,
        signer=KeysSigner(keys.get_service(app)),
        pairwise_key=get_secrets(app).key("pairwise"),
        remote_keys=RemoteKeySets(
            ttl=loaded.jwks_uri_cache_seconds, budget=loaded.jwks_uri_fetch_seconds,
            fetch=jwks_fetcher(get_outbound(app), seconds=loaded.jwks_uri_fetch_seconds)),
        clients=ClientCache(seconds=loaded.client_cache_seconds, invalidation=invalidation),
        sessions=session_policy(app),
        invalidation=invalidation,
        token_states=GenerationCache(seconds=loaded.state_cache_seconds),
        decisions=GenerationCache(seconds=loaded.state_cache_seconds),
        sign_in_levels=GenerationCache(seconds=loaded.state_cache_seconds),
        citizens=GenerationCache(seconds=loaded.state_cache_seconds),
    )
    PROVIDER.install(app, built)
    # What withdrawing an agency's access revokes (its mark kept as long as a code's replay mark).
    ISSUED_GRANTS.install(app, GrantWithdrawal(get_store(app), mark_seconds=loaded.code_replay_seconds,
                                               acr_uris=loaded.acr_uris))
    # A client's registration deleted (RFC 7592 section 2.3): its grants go with it, those an
    # exchange in flight writes after it too (its mark kept as long as a code's replay mark).
    ON_DELETED.install(app, ClientDeletion(get_store(app), mark_seconds=loaded.code_replay_seconds))
    # A registration's default level must be one its client may ask for (the acr URIs are ours).
    PROVIDER_RULE.install(app, partial(check_default_level, acr_uris=loaded.acr_uris))
    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)
    route_directly(app)  # /token and /userinfo without Flask's request machinery (same answers)
    route_pages_directly(app)  # GET /authorize, when answered at once
    follow_the_language_switch(app)  # the switch, during a request, outlasts its ui_locales
    describe(app, PATHS, SCHEMAS)
    return built


# Rows kept per process (infra.invalidation): an update or delete of any of them advances the
# cache generation.
WATCHED_TABLES = ("clients", "oidc_grants", "citizens", "consents",
                  # what the assurance of a sign-in depends on (`assurance.assess_sign_in`)
                  "passkeys", "assurance_passkeys", "identity_proofing")
