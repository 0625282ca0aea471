"""The front page: what Cédula is and where to go."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    return render_template("home.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
