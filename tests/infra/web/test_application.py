"""CedulaFlask: Flask's own answer for anything but a plain synchronous function."""

from __future__ import annotations

import functools
import inspect

import pytest

from infra.web.application import CedulaFlask


def test_plain_and_decorated_functions_are_called_as_they_are():
    app = CedulaFlask(__name__)

    def view() -> str:
        return "ok"

    @functools.wraps(view)
    def wrapped() -> str:
        return view()

    assert app.ensure_sync(view) is view
    assert app.ensure_sync(wrapped) is wrapped


@pytest.mark.parametrize("kind", ["async def", "marked", "partial"])
def test_coroutine_functions_go_the_way_flask_goes(kind, monkeypatch):
    app = CedulaFlask(__name__)
    handed = []
    monkeypatch.setattr(app, "async_to_sync", lambda func: handed.append(func) or "wrapped")

    async def view() -> str:
        return "ok"

    def plain() -> None: ...

    func = {"async def": view, "marked": plain, "partial": functools.partial(view)}[kind]
    if kind == "marked":
        if not hasattr(inspect, "markcoroutinefunction"):
            pytest.skip("inspect.markcoroutinefunction is Python 3.12+")
        inspect.markcoroutinefunction(plain)
    assert app.ensure_sync(func) == "wrapped" and handed == [func]


def test_the_provider_uses_it(app):
    assert isinstance(app, CedulaFlask)
