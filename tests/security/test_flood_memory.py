"""Floods of distinct names must not grow what a node keeps: failed client authentications at
/token that name clients that do not exist (millions of made-up client ids, one request each)
leave no per-client throttle marks (three store keys per name for the whole window, in the
process's memory on a single node, in Redis otherwise); only a registered client has a secret
to guess. The deferred indicator counts hold one total per registered client and fixed
dimension (tests/security/test_deferred_counts_failures.py)."""

from __future__ import annotations

from typing import Any

from idp.oidc import throttle
from infra.store import get_store
from tests.idp.oidc.test_direct_routes import FORM, Sent, send
from tests.support.basic_auth import basic_auth

FLOOD = 200


def test_made_up_client_ids_leave_no_throttle_marks(client, register, monkeypatch):
    app = client.application
    store = get_store(app)
    written: set[str] = set()
    for name in ("set", "incr"):
        original = getattr(store, name)

        def spy(key: str, *args: Any, _original: Any = original) -> Any:
            if key.startswith(throttle.PREFIX):
                written.add(key)
            return _original(key, *args)

        monkeypatch.setattr(store, name, spy)
    for n in range(FLOOD):
        for direct in (True, False):
            answer = send(app, Sent("POST", "/token", basic_auth(f"made-up-{n}-{direct}", "guess"),
                                    b"grant_type=client_credentials", FORM, remote="203.0.113.50"), direct=direct)
            assert answer.status.startswith("401"), answer.status
    assert len(written) < FLOOD, f"{len(written)} throttle keys kept for {2 * FLOOD} made-up client ids"
    # A registered client's failures are still counted (its secret can be guessed).
    agency = register()
    written.clear()
    send(app, Sent("POST", "/token", basic_auth(agency.client_id, "guess"), b"grant_type=client_credentials", FORM,
                   remote="203.0.113.50"), direct=True)
    assert written


def test_made_up_http_methods_add_no_metric_series(client):
    """The request counter is labelled with the method; a server passes any method token on, and
    each new one was a new series (kept in memory and in the multiprocess files) for good."""
    import re

    from tests.support.metrics import scrape

    for n in range(50):
        client.open("/userinfo", method=f"FLOOD{n}")
        client.open(f"/nowhere-{n}", method=f"PROBE{n}")
    methods = set(re.findall(r'cedula_http_requests_total\{[^}]*method="([^"]*)"', scrape(client)))
    assert not {m for m in methods if m.startswith(("FLOOD", "PROBE"))}, sorted(methods)[:10]
