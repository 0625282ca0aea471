"""A worker of `cedula serve` (granian's `_load`, gunicorn's `load`) keeps what its start-up made
out of the garbage collector's way once the app is built (`gc.freeze`): a full collection then
traverses what requests made, not the ~240,000 objects of the modules, settings and caches
(about 160 ms of CPU, every request in flight held up; bench/README.md, issue 16)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

import idp.app
import infra.config
import infra.ops.logging
from idp import serve_granian
from idp.serve_gunicorn import _Gunicorn


class _App:
    """Stands for the Flask app: a container the collector tracks."""

    def __init__(self) -> None:
        self.frozen_while_built = gc.get_freeze_count()
        self.parts: dict[str, object] = {"settings": {}}


@pytest.fixture
def built(monkeypatch) -> Iterator[list[_App]]:
    apps: list[_App] = []

    def create_app(*_args, **_kwargs) -> _App:
        apps.append(_App())
        return apps[-1]

    monkeypatch.setattr(idp.app, "create_app", create_app)
    gc.unfreeze()
    try:
        yield apps
    finally:
        gc.unfreeze()  # the permanent generation back into the collector's for the other tests


def _collected(thing: object) -> bool:
    """Whether a collection would traverse `thing` (the permanent generation is not listed)."""
    return any(candidate is thing for candidate in gc.get_objects())


def test_a_granian_worker_freezes_what_its_start_made_once_the_app_is_built(built, monkeypatch):
    monkeypatch.setattr(infra.config, "load_settings",
                        lambda: {"logging": {"level": "WARNING", "format": "text"}})
    monkeypatch.setattr(infra.ops.logging, "configure", lambda level, fmt: None)
    monkeypatch.setattr(serve_granian, "_stop_with_parent", lambda parent: None)

    app = serve_granian._load(2)

    assert app is built[0] and app.frozen_while_built == 0
    assert gc.get_freeze_count() > 0 and gc.is_tracked(app) and not _collected(app)
    made_after = _App()
    assert _collected(made_after)  # what requests make is collected as before


def test_a_gunicorn_worker_freezes_what_its_start_made_once_the_app_is_built(built):
    server = _Gunicorn.__new__(_Gunicorn)  # the worker's side only: no configuration, no arbiter
    server._settings = {}
    server._options = {"workers": 2}

    app = server.load()

    assert app is built[0] and app.frozen_while_built == 0
    assert gc.get_freeze_count() > 0 and not _collected(app)
