"""After a fault: everything the provider acknowledged exists, exactly once."""

from __future__ import annotations

import sqlalchemy as sa

from tests.cluster.journeys import Ledger, Provider
from tests.cluster.topology import Topology


def acknowledged_documents_exist_once(topology: Topology, ledger: Ledger) -> None:
    engine = sa.create_engine(topology.database_url)
    try:
        with engine.connect() as conn:
            ids = list(ledger.documents.values())
            if ids:
                rows = conn.execute(sa.text("SELECT id FROM documents WHERE id = ANY(:ids)"),
                                    {"ids": ids}).scalars().all()
                assert sorted(rows) == sorted(ids)
            # one document per idempotency key that says done, never two
            done = conn.execute(sa.text("SELECT count(*) FROM infra_idempotency WHERE state = 'done'")).scalar()
            issued = conn.execute(sa.text("SELECT count(*) FROM documents")).scalar()
            assert issued == done, f"{issued} documents for {done} completed idempotency keys"
    finally:
        engine.dispose()


def acknowledged_grants_work(topology: Topology, provider: Provider, ledger: Ledger) -> None:
    """Every refresh token the provider handed out (its latest rotation) is still good."""
    agency = topology.agency
    for _sub, refresh_token in list(ledger.grants)[-10:]:
        response = provider.browser().post(provider.base_url + "/token", timeout=30,
                                           auth=(agency.client_id, agency.secret),
                                           data={"grant_type": "refresh_token", "refresh_token": refresh_token})
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:  # rotated by a refresh whose answer was lost in the fault
            assert response.json()["error"] == "invalid_grant"


def consents_exist_once(topology: Topology) -> None:
    engine = sa.create_engine(topology.database_url)
    try:
        with engine.connect() as conn:
            duplicates = conn.execute(sa.text(
                "SELECT citizen_id, client_id, count(*) FROM consents GROUP BY citizen_id, client_id "
                "HAVING count(*) > 1")).all()
            assert duplicates == []
    finally:
        engine.dispose()


def sessions_alive(provider: Provider, ledger: Ledger, *, expect_alive: bool) -> None:
    """The acknowledged sign-ins still open the account page (or ask to sign in again)."""
    for _citizen, cookies in list(ledger.sessions)[-10:]:
        browser = provider.browser()
        browser.cookies.update(cookies)
        response = browser.get(provider.base_url + "/account", allow_redirects=False, timeout=30)
        if expect_alive:
            assert response.status_code == 200, (response.status_code, response.headers.get("Location"))
        else:
            assert response.status_code in (302, 303), response.status_code
            assert "/login" in response.headers["Location"]


def log_tails(topology: Topology, *, lines: int = 60) -> str:
    """The end of each node's log (tracebacks of unhandled errors are logged there)."""
    parts = []
    for node in topology.nodes:
        text = node.log.read_text(errors="replace") if node.log.exists() else ""
        parts.append(f"--- {node.name} ({node.log}) ---\n" + "\n".join(text.splitlines()[-lines:]))
    return "\n".join(parts)


def no_server_error(topology: Topology, ledger: Ledger, *, status: int = 500) -> None:
    """No answer was a 500; if one was, say which request it was and what the nodes logged,
    so that a failure seen once in CI can be understood from its report alone."""
    failed = ledger.with_status(status)
    if failed:
        shown = "\n".join(f"  {a.request} (step {a.step}) on {a.node}, request id {a.request_id}: "
                          f"{a.detail!r}" for a in failed[:10])
        raise AssertionError(f"{len(failed)} of {ledger.sent} answers were {status}:\n{shown}\n"
                             f"{log_tails(topology)}")

