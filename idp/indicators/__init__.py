"""Indicators: durable daily counts of what the service does, by agency (kept by
`infra.indicators.tally` in each event's transaction), the reports and charts built on them,
the agencies' API (`/api/indicators`, scope `indicators:read`), `cedula indicators export`
and the public `/transparency` page. Counts below `[indicators] privacy_floor` never leave
the operator console as they are.
"""

from __future__ import annotations

from flask import Flask

from idp.indicators.settings import SETTINGS, indicator_settings

__all__ = ["SETTINGS", "indicator_settings", "init_app"]


def init_app(app: Flask) -> None:
    from idp.indicators import settings
    from idp.indicators.api import OPENAPI_PATHS, OPENAPI_SCHEMAS
    from idp.indicators.api import bp as api_bp
    from idp.indicators.errors import count_errors
    from idp.indicators.transparency import bp as transparency_bp
    from idp.oidc.openapi import protected_resource
    from infra.config import get_settings
    from infra.openapi import describe

    SETTINGS.install(app, settings.load(get_settings(app)))
    app.register_blueprint(api_bp)
    app.register_blueprint(transparency_bp)
    describe(app, protected_resource(OPENAPI_PATHS), OPENAPI_SCHEMAS)
    count_errors(app)
    if bool(get_settings(app)["metrics"]["enabled"]):
        from idp.indicators.collectors import expose

        expose(app)
