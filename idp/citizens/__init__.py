"""Citizens: identity records, enrolment data, passkeys and recovery codes.

Others may import: `scheme(app)` (the configured national ID scheme, loaded once),
the models (`idp.citizens.models`), the services (`idp.citizens.services`,
`idp.citizens.recovery`) and the error family (`idp.citizens.errors.CitizenError`).
"""

from __future__ import annotations

from flask import Flask

from idp.citizens.national_id import NationalIdScheme, load_scheme

__all__ = ["init_app", "scheme"]


def scheme(app: Flask) -> NationalIdScheme:
    """The national identity number scheme chosen in `enrolment.national_id_scheme`."""
    return app.extensions["cedula.national_id"]


def init_app(app: Flask) -> None:
    settings = app.config["CEDULA"]
    app.extensions["cedula.national_id"] = load_scheme(str(settings["enrolment"]["national_id_scheme"]))
