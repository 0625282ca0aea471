"""The application factory: `create_app(config=None)` builds the whole provider."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from idp.config import Settings, load_settings
from idp.secrets import AppSecrets, master_secret

# Each module's init_app(app) registers its blueprints, hooks and extensions, in this order.
COMPONENTS = (
    "idp.ops.logging",
    "idp.ops.metrics",
    "idp.web.headers",
    "idp.web.csrf",
    "idp.web.i18n",
    "idp.web.errors",
    "idp.web.inputs",
    "idp.db",
    "idp.store",
    "keys",
    "clients.registry",
    "idp.ops.health",
    "idp.home",
    "idp.citizens",
    "idp.sessions",
    "idp.webauthn",
    "idp.assurance",
    "idp.registry",
    "idp.registrar",
    "idp.account",
    "idp.oidc",
    "idp.documents",
    "idp.audit",
    "idp.consent",
    "idp.logout",
    "signing.web",
    "idp.openapi",
)


def create_app(config: Mapping[str, Any] | Settings | None = None) -> Flask:
    """Build the provider. `config` is a nested mapping of settings that override the rest."""
    settings = config if isinstance(config, Settings) else load_settings(config)
    app = Flask("idp", instance_path=str(settings.data_dir), instance_relative_config=False)
    app.config["CEDULA"] = settings
    app.config["MAX_CONTENT_LENGTH"] = int(settings["server"]["max_body_bytes"])
    app.config["SESSION_COOKIE_SECURE"] = settings.secure
    app.config["PREFERRED_URL_SCHEME"] = "https" if settings.secure else "http"
    app.json.sort_keys = False  # type: ignore[attr-defined]

    secrets = AppSecrets(master_secret(settings))
    app.extensions["cedula.secrets"] = secrets
    app.config["CEDULA_CSRF_KEY"] = secrets.key("csrf")

    hops = int(settings["server"]["proxy_hops"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    for name in COMPONENTS:
        import_module(name).init_app(app)
    return app
