"""How the application is put together: typed slots for its components, and `wire(app)`.

Every component (the database, the store, the OpenID Provider, the verification service, ...)
has one `Slot`, declared next to the code that builds it, and is read back through it:
`DATABASE.of(app) -> Database`. A slot is installed once; reading one that is not installed
yet, or installing one twice, stops the application at start with a message naming it. So
the order in which `wire()` builds the components is a declared, checked contract, not a
hidden one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

if TYPE_CHECKING:
    from flask import Flask

T = TypeVar("T")

_REGISTRY = "cedula"  # the one key this product uses in app.extensions


class ComponentError(RuntimeError):
    """The application is wired wrongly: a component is missing or installed twice."""


class Slot(Generic[T]):
    """The typed home of one component in an application."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"

    def install(self, app: Flask, value: T) -> T:
        registry = _registry(app)
        if self in registry:
            raise ComponentError(f"{self.name} is installed twice: a component must not replace "
                                 "another's; pass what it needs when it is built instead")
        registry[self] = value
        return value

    def of(self, app: Flask | None = None) -> T:
        """The component in `app` (default: the current application)."""
        if app is None:
            # `_current_app()` inlined, without `cast` calls (issue 16: ten lookups per request).
            context = _FLASK_CONTEXT[0].get(None) if _FLASK_CONTEXT else None
            app = context.app if context is not None else _current_app()
        try:
            value: T = app.extensions[_REGISTRY][self]
        except KeyError:
            raise ComponentError(f"{self.name} is not installed: the component that provides it "
                                 "must come earlier in the application's wiring") from None
        return value

    def installed(self, app: Flask) -> bool:
        return self in _registry(app)


_FLASK_CONTEXT: list[Any] = []


def _current_app() -> Flask:
    """The application context's app, read straight from Flask's context variable, not through
    the `current_app` proxy (a hot path: several components are looked up on every request).
    Flask is imported on first use: a command that builds no app (`cedula verify`) reads settings
    through this module without loading it. Outside a context, the proxy raises Flask's own
    "outside of application context" error."""
    if not _FLASK_CONTEXT:
        from flask import current_app
        from flask.globals import _cv_app

        _FLASK_CONTEXT.extend((_cv_app, current_app))
    context = _FLASK_CONTEXT[0].get(None)
    if context is not None:
        return cast("Flask", context.app)
    return cast("Flask", _FLASK_CONTEXT[1]._get_current_object())


def _registry(app: Flask) -> dict[Slot[Any], Any]:
    return cast(dict[Slot[Any], Any], app.extensions.setdefault(_REGISTRY, {}))


@dataclass(frozen=True)
class Component:
    """One part of the application: `init(app)` builds it and installs its slots."""

    name: str
    init: Callable[[Flask], object]


def wire(app: Flask, components: Sequence[Component]) -> None:
    """Build the components in the declared order; a wrong order fails here, at start."""
    for component in components:
        try:
            component.init(app)
        except ComponentError as exc:
            raise ComponentError(f"wiring {component.name}: {exc}") from None
