"""Citizens: identity records, enrolment data, passkeys and recovery codes.

Others may import: `scheme(app)` (the configured national ID scheme, loaded once),
the models (`idp.citizens.models`), the services (`idp.citizens.services`,
`idp.citizens.recovery`) and the error family (`idp.citizens.errors.CitizenError`).
"""

from __future__ import annotations

from flask import Flask

from idp.citizens.national_id import NationalIdScheme, load_scheme
from infra.components import Slot
from infra.config import ConfigError, get_settings, read_section

__all__ = ["init_app", "scheme"]


NATIONAL_ID: Slot[NationalIdScheme] = Slot("national identity number scheme")
MAX_AGE = 120


def scheme(app: Flask | None = None) -> NationalIdScheme:
    """The national identity number scheme chosen in `enrolment.national_id_scheme`."""
    return NATIONAL_ID.of(app)


def init_app(app: Flask) -> None:
    settings = get_settings(app)
    try:
        chosen = load_scheme(str(settings["enrolment"]["national_id_scheme"]))
    except ValueError as exc:
        raise ConfigError(f"enrolment.national_id_scheme: {exc}") from None
    # 0: no age limit (the default); up to 120, above which nobody could enrol on their own
    read_section(settings, "enrolment").whole("minimum_age", minimum=0, maximum=MAX_AGE, unit="years")
    NATIONAL_ID.install(app, chosen)
