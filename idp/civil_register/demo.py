"""The demo's civil register (`make run`): a small sample extract whose contacts are fake, and
a page that shows the notification outbox for them, so that a visitor can receive the one-time
code of identity proofing and reach level substantial without a mail server.

On only with `demo.outbox_page = true` (what `cedula demo` sets for its provider), and then
only for a loopback issuer with e-mail going to the outbox: the page shows one-time codes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files

from flask import Blueprint, Flask, current_app, render_template

from idp.citizens.national_id import NationalIdScheme
from idp.civil_register.imported import ImportResult, _rows, import_csv
from infra.config import ConfigError, Settings
from infra.db import get_db
from infra.notify import get_outbox, notify_settings

LOOPBACK = {"localhost", "127.0.0.1", "::1"}
bp = Blueprint("demo_register", __name__)


def demo_register_text() -> str:
    return files("idp.civil_register").joinpath("demo_register.csv").read_text(encoding="utf-8")


def demo_addresses(scheme: NationalIdScheme) -> list[str]:
    """Every contact of the sample register, as the import stores it."""
    rows, problems = _rows(demo_register_text(), scheme)
    if problems:  # the shipped file is checked by the tests
        raise ConfigError(f"the demo register does not load: {problems}")
    return [row[column] for row in rows for column in ("email", "phone", "postal_address")
            if row.get(column)]


def load_demo_register(app: Flask) -> ImportResult:
    """Import the sample register (records of other people already there stay)."""
    from idp.citizens import scheme

    with get_db(app).transaction() as session:
        return import_csv(session, data=demo_register_text().encode(), scheme=scheme(app),
                          now=datetime.now(UTC))


@bp.get("/demo/outbox")
def outbox() -> str:
    """The messages sent to the sample register's contacts, newest first."""
    from idp.citizens import scheme

    messages = get_outbox(current_app).messages(addresses=demo_addresses(scheme(current_app)),
                                                limit=50)
    return render_template("registry/demo_outbox.html", messages=messages)


def enabled(app: Flask, settings: Settings) -> bool:
    """Whether to serve /demo/outbox; ConfigError when asked for outside a local demo."""
    if not bool(settings["demo"].get("outbox_page", False)):
        return False
    from urllib.parse import urlsplit

    if urlsplit(settings.issuer).hostname not in LOOPBACK:
        raise ConfigError("demo.outbox_page shows one-time codes to anyone: it is allowed only "
                          "for a localhost issuer (cedula demo)")
    if notify_settings(app).email != "outbox":
        raise ConfigError("demo.outbox_page needs notify.email = \"outbox\"")
    return True


def init_app(app: Flask, settings: Settings) -> None:
    if enabled(app, settings):
        app.register_blueprint(bp)
