"""A document's verification code is a bearer link to its PDF: the access log masks it
(`[logging] masked_path_parameters`), and so must every other line of the same request. While
Redis (or PostgreSQL) was away, the line "ephemeral store unavailable: answering 503" ("database
unavailable: ...") carried the request's path as it was, so each citizen's or agency's
/verify/<code> during an outage left its code in the log."""

from __future__ import annotations

import logging

import pytest

from infra.store import STORE, RedisStore
from signing.csv import generate
from tests.support.components import replace_component
from tests.support.ports import free_port

CODE = generate()  # well-formed: the lookup reaches the database


@pytest.fixture
def stopped(fresh_app, monkeypatch):
    """The app's Redis, stopped (nobody listens at its address): the lookups' rate limit needs it."""
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", prefix="dead:")
    replace_component(monkeypatch, fresh_app, STORE, store)
    yield
    store.close()


# The code goes into the path in the test, not into its id: an id made of a fresh code differs
# between pytest-xdist's workers, which then refuse the whole run ("Different tests were collected").
@pytest.mark.parametrize("route", ["/verify/", "/api/verify/"])
def test_no_line_of_a_request_answered_503_holds_the_code(fresh_app, stopped, caplog, route):
    with caplog.at_level(logging.INFO):
        response = fresh_app.test_client().get(route + CODE)
    assert response.status_code == 503, response.status_code
    lines = [record for record in caplog.records if getattr(record, "path", None)]
    assert any(record.name != "cedula.access" for record in lines), "the outage line names no path"
    for record in lines:
        assert CODE not in record.path, (record.getMessage(), record.path)
        assert "[masked:" in record.path
