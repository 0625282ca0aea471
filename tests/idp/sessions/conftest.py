"""Fixtures the session tests share."""

from __future__ import annotations

import pytest

import idp.sessions
from idp.sessions import SessionChange, add_listener
from tests.support.parts import store_for


@pytest.fixture
def changes(fresh_app):
    """What the session listeners are told while the test runs, in order."""
    told: list[SessionChange] = []
    add_listener(fresh_app, told.append)
    yield told
    idp.sessions.LISTENERS.of(fresh_app).remove(told.append)


@pytest.fixture(params=["memory", "redis"])
def store(request):
    """A fresh ephemeral store of each kind, for the race tests (test_sessions.py has its own:
    the app's)."""
    yield from store_for(request.param, "session-races")
