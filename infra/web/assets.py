"""Static files that the provider and the demo agency portal (`clients.portal`, a Flask app of
its own) both serve, from one copy here: `forms.js`, which sends a POST form once (a double
click issued two birth certificates on the portal and spent a recovery code twice on Cédula).

Served at `/static/shared/<name>` (`url_for(ENDPOINT, filename=...)`), beside each app's own
`/static/`: same origin, so both apps' `script-src 'self'` allows them."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("shared_assets", __name__, static_folder="static", static_url_path="/static/shared")
ENDPOINT = "shared_assets.static"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


__all__ = ["ENDPOINT", "init_app"]
