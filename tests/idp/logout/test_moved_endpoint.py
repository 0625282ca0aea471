"""A back-channel logout queued for an agency goes where the agency's registration points when
it is sent: an agency that moved its endpoint (or removed it) since the logout was queued is not
sent tokens, retry after retry, at an address it gave up (a host that may now be someone else's)."""

from __future__ import annotations

import time

from clients.registry import find_client
from infra.db import get_db
from tests.idp.logout.test_backchannel import sign_out
from tests.idp.oidc.conftest import tokens_for


def _register_uri(app, client_id: str, uri: str | None) -> None:
    with get_db(app).transaction() as session:
        client = find_client(session, client_id, enabled_only=False)
        metadata = {k: v for k, v in client.client_metadata.items() if k != "backchannel_logout_uri"}
        if uri is not None:
            metadata["backchannel_logout_uri"] = uri
        client.client_metadata = metadata


def _first_delivery_failed(client, agencies, receiver, worker) -> float:
    """The citizen signed in to agency "a" and out; its endpoint answered 500 (a retry is
    queued). The time of that attempt."""
    tokens_for(client, agencies["a"])
    sign_out(client)
    receiver.status = 500
    now = time.time()
    assert worker.run_once(now=now) == {"expanded": 1, "retry": 1}
    return now


def test_a_retry_goes_to_the_endpoint_the_agency_registers_now(app, client, citizen, agencies, receiver, worker):
    now = _first_delivery_failed(client, agencies, receiver, worker)
    _register_uri(app, agencies["a"].client_id, receiver.uri("moved"))
    receiver.status = 200
    assert worker.run_once(now=now + 3600) == {"delivered": 1}
    assert [r["path"] for r in receiver.received] == ["/a/backchannel-logout", "/moved/backchannel-logout"]


def test_an_agency_that_removed_its_endpoint_gets_no_more_tokens(app, client, citizen, agencies, receiver, worker):
    now = _first_delivery_failed(client, agencies, receiver, worker)
    _register_uri(app, agencies["a"].client_id, None)
    receiver.status = 200
    assert worker.run_once(now=now + 3600) == {"skipped": 1}
    assert worker.run_once(now=now + 7200) == {}
    assert [r["path"] for r in receiver.received] == ["/a/backchannel-logout"]
