"""A demo agency portal: a relying party of Cédula built only on public OIDC (authlib's client)."""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_client import OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from flask import Flask
from joserfc.jwk import ECKey

from clients.portal.component import PORTAL, ClientAuth, Portal
from clients.portal.config import PortalConfig
from clients.portal.logout_token import ProviderKeys, ReplayCache
from clients.portal.sessions import SessionRegistry
from infra.web import assets

__all__ = ["ClientAuth", "ShortLivedPrivateKeyJWT", "create_portal"]


class ShortLivedPrivateKeyJWT(PrivateKeyJWT):
    """RFC 7523 client assertions that live 60 seconds: authlib's default hour is longer than
    providers accept (Cédula: at most [oidc] assertion_max_seconds, 300 by default)."""

    def sign(self, auth, token_endpoint):
        # A copy: authlib writes the jti it draws into the claims it is given, and a jti must
        # never be sent twice (the provider refuses a spent one, RFC 7523 section 3).
        return private_key_jwt_sign(auth.client_secret, client_id=auth.client_id,
                                    token_endpoint=token_endpoint, claims=dict(self.claims or {}),
                                    header=self.headers, alg=self.alg, expires_in=60)


def create_portal(config: PortalConfig) -> Flask:
    app = Flask("clients.portal", static_folder="static", template_folder="templates")
    app.secret_key = config.secret_key
    app.config.update(
        SESSION_COOKIE_NAME=f"portal_{config.client_id}",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=config.base_url.startswith("https://"),
    )
    client_kwargs = {
        "scope": " ".join(config.scopes),
        "code_challenge_method": "S256",
        "token_endpoint_auth_method": config.auth_method,
    }
    extra = {}
    secret: object = config.client_secret
    method = None
    if config.private_jwk:
        jwk: dict[str, Any] = dict(config.private_jwk)
        key = ECKey.import_key(jwk)
        secret = key
        # aud: the issuer, one string (RFC 7523 as FAPI 2.0 and Cédula's strict rule require).
        method = ShortLivedPrivateKeyJWT(alg="ES256", headers={"kid": key.kid}, claims={"aud": config.issuer})
        extra["client_auth_methods"] = [method]
    oauth = OAuth(app)
    oauth.register(
        "cedula",
        client_id=config.client_id,
        client_secret=secret,
        server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
        **extra,
    )
    fapi = None
    if config.fapi:
        from clients.portal.fapi import FapiClient

        fapi = FapiClient(config)
    PORTAL.install(app, Portal(
        config=config, oauth=oauth, client_auth=ClientAuth(secret=secret, method=method),
        sessions=SessionRegistry(),
        keys=ProviderKeys(lambda: oauth.cedula.load_server_metadata()["jwks_uri"]),
        replay=ReplayCache(), fapi=fapi))

    from clients.portal import pages, views

    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
    assets.init_app(app)  # forms.js, the same file as Cédula's

    @app.after_request
    def _headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self' "
            f"{config.issuer}; frame-ancestors 'none'; base-uri 'none'")
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
