"""The application factory: `create_app(config=None)` builds the whole provider."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from idp.schema import SCHEMA
from infra.components import Component, wire
from infra.config import SETTINGS, Settings, load_settings
from infra.secrets import SECRETS, AppSecrets, master_secret
from infra.web.application import CedulaFlask

# The parts of the provider, built in this order by `infra.components.wire`. A component that
# reads another's slot must come after it; `wire` stops the start with the slot's name if not.
I18N_PACKAGES = ("idp", "signing")


def _components() -> list[Component]:
    def component(module: str, *args: object) -> Component:
        return Component(module, lambda app: import_module(module).init_app(app, *args))

    return [
        component("infra.ops.logging"),
        component("infra.ops.metrics"),
        component("infra.web.headers"),
        component("infra.web.csrf"),
        component("infra.web.i18n", I18N_PACKAGES),
        component("infra.web.lang_parts"),
        component("infra.web.errors"),
        component("infra.web.inputs"),
        component("infra.web.assets"),
        component("infra.openapi"),
        component("infra.db", SCHEMA),
        component("infra.group_commit"),
        component("infra.store"),
        component("infra.outbound"),
        component("infra.notify"),
        component("infra.ops.health"),
        component("keys"),
        component("clients.registry"),
        component("idp.home"),
        component("idp.info"),
        component("idp.developers"),
        component("idp.citizens"),
        component("idp.sessions"),
        component("idp.assurance"),
        component("idp.webauthn"),
        component("idp.civil_register"),
        component("idp.registrar"),
        component("idp.account"),
        component("idp.oidc"),
        component("idp.keep_alive"),
        component("idp.documents"),
        component("idp.wallet"),
        component("idp.audit"),
        component("idp.consent"),
        component("idp.logout"),
        component("idp.indicators"),
        component("idp.operator"),
        component("signing.web"),
    ]


def create_app(config: Mapping[str, Any] | Settings | None = None) -> Flask:
    """Build the provider. `config` is a nested mapping of settings that override the rest."""
    return _build(config, _components())


def _build(config: Mapping[str, Any] | Settings | None, components: list[Component]) -> Flask:
    settings = config if isinstance(config, Settings) else load_settings(config)
    app = CedulaFlask("idp", instance_path=str(settings.data_dir), instance_relative_config=False)
    SETTINGS.install(app, settings)
    app.config["MAX_CONTENT_LENGTH"] = settings.server.max_body_bytes
    app.config["SESSION_COOKIE_SECURE"] = settings.secure
    app.config["PREFERRED_URL_SCHEME"] = "https" if settings.secure else "http"
    app.json.sort_keys = False  # type: ignore[attr-defined]

    SECRETS.install(app, AppSecrets(master_secret(settings)))

    hops = settings.server.proxy_hops
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    wire(app, components)
    return app
