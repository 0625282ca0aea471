"""National identity number schemes, one module per country's number, and plug-ins.

    scheme = load_scheme(settings["enrolment"]["national_id_scheme"])
    scheme.normalise(" 04892613 5 ")   # "04892613-5", or raises InvalidNationalId

Built in: "sv-dui" (El Salvador, the default), "es-dni" (Spain, DNI and NIE), "mx-curp"
(Mexico). Any other scheme is a plug-in named "package.module:ClassName", a subclass of
NationalIdScheme.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import import_module

from idp.citizens.national_id.base import InvalidNationalId, NationalIdScheme, check_declaration
from idp.citizens.national_id.es_dni import DNI
from idp.citizens.national_id.mx_curp import CURP
from idp.citizens.national_id.sv_dui import DUI

__all__ = ["BUILT_IN", "InvalidNationalId", "NationalIdScheme", "load_scheme"]

BUILT_IN: dict[str, type[NationalIdScheme]] = {cls.code: cls for cls in (DUI, DNI, CURP)}

_PLUG_IN = re.compile(r"[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*")


@cache
def load_scheme(name: str) -> NationalIdScheme:
    """The scheme called `name`: a built-in code or "package.module:ClassName".

    Raises ValueError, saying what was expected, for an unknown name or a plug-in that
    cannot be imported, is not a NationalIdScheme, or does not accept its own example.
    """
    if name in BUILT_IN:
        return BUILT_IN[name]()
    if not isinstance(name, str) or not _PLUG_IN.fullmatch(name):
        known = ", ".join(sorted(BUILT_IN))
        raise ValueError(f"unknown national identity number scheme {name!r}: expected one of "
                         f"{known}, or a plug-in written 'package.module:ClassName'")
    return _plug_in(name)


def _plug_in(name: str) -> NationalIdScheme:
    module_name, _, class_name = name.partition(":")
    try:
        module = import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"national identity number scheme {name!r}: cannot import module "
                         f"{module_name!r} ({exc})") from exc
    cls = getattr(module, class_name, None)
    if cls is None:
        raise ValueError(f"national identity number scheme {name!r}: module {module_name!r} "
                         f"has no {class_name!r}")
    if not (isinstance(cls, type) and issubclass(cls, NationalIdScheme)):
        raise ValueError(f"national identity number scheme {name!r}: expected a subclass of "
                         f"idp.citizens.national_id.NationalIdScheme, got {cls!r}")
    try:
        check_declaration(cls)
    except ValueError as exc:
        raise ValueError(f"national identity number scheme {name!r}: {exc}") from None
    try:
        scheme = cls()
    except TypeError as exc:  # abstract methods left, or an __init__ that needs arguments
        raise ValueError(f"national identity number scheme {name!r}: cannot be created "
                         f"without arguments ({exc})") from exc
    try:
        canonical = scheme.normalise(cls.example)
    except InvalidNationalId as exc:
        raise ValueError(f"national identity number scheme {name!r} refuses its own example "
                         f"({exc})") from exc
    if canonical != cls.example:
        raise ValueError(f"national identity number scheme {name!r}: its example is not in "
                         f"canonical form (normalise gives {canonical!r})")
    return scheme
