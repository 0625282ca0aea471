"""The authoritative civil register: a match of the enrolment data is evidence (level low); the
register's contacts of record then let proofing reach substantial (`idp.assurance.possession`).

Public: `register(app)` (the configured CivilRegister or None), `services.check_citizen(...)`,
`base.CivilRegister` / `MatchResult` / `RegisterQuery` for plug-ins, and `imported.import_csv`
behind `cedula registry import`. It only matches; `idp.assurance` applies the answer
(`idp.assurance.register_match.check_after_enrolment` after an enrolment).
"""

from __future__ import annotations

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
    "init_app",
    "load_register",
    "register",
]


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


def init_app(app: Flask) -> None:
    from idp.civil_register import demo
    from idp.civil_register.guesses import per_day

    settings = get_settings(app)
    per_day(app)  # a wrong [assurance] register_details_per_day stops the start
    REGISTER.install(app, load_register(str(settings["assurance"].get("registry") or ""), settings))
    demo.init_app(app, settings)
