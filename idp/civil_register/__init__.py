"""The authoritative civil register: a match of the enrolment data is evidence (level low); the
register's contacts of record then let proofing reach substantial (`idp.assurance.possession`).

Public: `register(app)` (the configured CivilRegister or None), `check_after_enrolment(app,
citizen_id)`, `services.check_citizen(...)`, `base.CivilRegister` / `MatchResult` /
`RegisterQuery` for plug-ins, and `imported.import_csv` behind `cedula registry import`.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from importlib import import_module

from flask import Flask

from idp.civil_register.base import CivilRegister, MatchResult, RegisterQuery
from idp.civil_register.errors import CivilRegisterError
from infra.components import Slot
from infra.config import ConfigError, get_settings

__all__ = [
    "CivilRegister",
    "CivilRegisterError",
    "MatchResult",
    "RegisterQuery",
    "check_after_enrolment",
    "init_app",
    "load_register",
    "register",
]

log = logging.getLogger(__name__)


def load_register(name: str, settings: object) -> CivilRegister | None:
    """"imported", "" (none) or a plug-in "package.module:Class" (built with
    `Class.from_settings(settings)` when it has one, else `Class()`)."""
    if not name:
        return None
    if name == "imported":
        from idp.civil_register.imported import ImportedRegister

        return ImportedRegister()
    module_name, _, class_name = name.partition(":")
    try:
        cls = getattr(import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigError(f"assurance.registry {name!r}: expected \"imported\", \"\" or "
                          f"\"package.module:Class\" ({exc})") from None
    factory = getattr(cls, "from_settings", None)
    instance = factory(settings) if callable(factory) else cls()
    if not callable(getattr(instance, "match", None)):
        raise ConfigError(f"assurance.registry {name!r} has no match(session, query=...)")
    return instance


# None when no register is configured (`assurance.registry = ""`): matching is then off.
REGISTER: Slot[CivilRegister | None] = Slot("civil register")


def register(app: Flask | None = None) -> CivilRegister | None:
    return REGISTER.of(app)


def check_after_enrolment(app: Flask, *, citizen_id: str) -> MatchResult | None:
    """Run right after an enrolment, in its own transaction: a register that is down or
    refuses never undoes the enrolment (the citizen can ask again from their account).

    The one place this package still reaches `idp.assurance` (to apply the match): the
    enrolment (`idp.webauthn.views`) calls it here; it belongs with `idp.assurance`."""
    found = register(app)
    if found is None:
        return None
    from idp.assurance.services import apply_register_match
    from idp.civil_register.services import check_citizen
    from infra.db import get_db

    try:
        with get_db(app).transaction() as session:
            citizen = uuid.UUID(citizen_id)
            result = check_citizen(session, found, citizen_id=citizen)
            apply_register_match(session, citizen_id=citizen, result=result, now=datetime.now(UTC))
            return result
    except CivilRegisterError as exc:
        log.warning("register check after enrolment failed",
                    extra={"citizen_id": citizen_id, "error": str(exc)})
        return None


def init_app(app: Flask) -> None:
    from idp.civil_register import demo

    settings = get_settings(app)
    REGISTER.install(app, load_register(str(settings["assurance"].get("registry") or ""), settings))
    demo.init_app(app, settings)
