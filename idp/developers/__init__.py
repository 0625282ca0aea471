"""Pages for agency developers: the integration guide (/developers, rendered from
docs/agencies.md, shipped as
idp/developers/agencies.md) and the API reference (/developers/api, from the OpenAPI document)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from idp.developers.views import GUIDE, bp, load_guide

    GUIDE.install(app, load_guide())
    app.register_blueprint(bp)
