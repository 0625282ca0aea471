"""The pages every public service owes its users, linked from the footer of every page: help,
privacy notice, accessibility statement and contact. Who runs the service, and how to reach
them, comes from the `[organisation]` settings."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Check `[organisation]` at start (a service nobody can contact does not start)."""
    from idp.info.views import ORGANISATION, bp, organisation
    from infra.config import get_settings

    ORGANISATION.install(app, organisation(get_settings(app)))
    app.register_blueprint(bp)
