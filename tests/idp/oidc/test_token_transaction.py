"""The token endpoint's writes (issue 16): the grant, its refresh token and the data-sharing log
entry of the release commit together, in one transaction, before anything is signed or sent;
what does not change per request (the client's fixed sector, a subject already indexed) is
not written again. Counted with the engine's own events, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from idp.audit.models import AuditEntry
from infra.db import get_db
from tests.idp.oidc.conftest import exchange, get_code, token_request

OFFLINE = "openid profile email offline_access"


@contextmanager
def watched(app) -> Iterator[dict[str, list[str]]]:
    """Every statement and commit on the app's engine while the block runs, those the group
    commit runs on the driver's connection (`infra.group_commit`) included."""
    from infra.deferred_counts import flush_pending
    from infra.group_commit import GroupCommit

    engine = get_db(app).engine
    # The counts of earlier requests (written within a second, `infra.deferred_counts`) now,
    # not by the writer thread while the block runs.
    flush_pending(engine)
    seen: dict[str, list[str]] = {"statements": [], "commits": []}
    on_driver = GroupCommit._run_on_driver

    def batch(self, calls):
        seen["statements"].extend(" ".join(plan.sql.split()) for plan, _parameters in calls)
        failed = on_driver(self, calls)
        if failed is None:
            seen["commits"].append("commit")
        return failed

    def statement(_conn, _cursor, text, *_args):
        seen["statements"].append(" ".join(text.split()))

    def commit(_conn):
        seen["commits"].append("commit")

    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "commit", commit)
    GroupCommit._run_on_driver = batch  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        GroupCommit._run_on_driver = on_driver  # type: ignore[method-assign]
        sa.event.remove(engine, "before_cursor_execute", statement)
        sa.event.remove(engine, "commit", commit)


def releases(app) -> list[AuditEntry]:
    with get_db(app).read() as session:
        return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.event == "release.id_token")
                                    .order_by(AuditEntry.id)))


@pytest.fixture
def agency(register):
    return register(scope=OFFLINE)


def test_code_exchange_commits_grant_and_log_entry_once(oidc_app, client, agency, citizen):
    code, flow = get_code(client, agency)
    with watched(oidc_app) as seen:
        answer = exchange(client, agency, code, flow)
    assert answer.status_code == 200, answer.get_json()
    assert len(seen["commits"]) == 1, seen
    inserts = [s for s in seen["statements"] if s.startswith("INSERT INTO")]
    assert any(s.startswith("INSERT INTO oidc_grants") for s in inserts)
    assert sum(s.startswith("INSERT INTO audit_entries") for s in inserts) == 1  # logged once, not twice
    logged = releases(oidc_app)
    assert len(logged) == 1 and logged[0].client_id == agency.client_id
    assert "sub" in logged[0].claims


def test_a_failed_exchange_logs_nothing(oidc_app, client, agency, citizen):
    code, flow = get_code(client, agency)
    answer = exchange(client, agency, code, flow, code_verifier="x" * 50)
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_grant"
    assert releases(oidc_app) == []


def test_refresh_commits_rotation_and_log_entry_once(oidc_app, client, agency, citizen):
    code, flow = get_code(client, agency, scope=OFFLINE)
    first = exchange(client, agency, code, flow).get_json()
    assert "refresh_token" in first, first
    with watched(oidc_app) as seen:
        answer = token_request(client, agency, {"grant_type": "refresh_token",
                                                "refresh_token": first["refresh_token"]})
    assert answer.status_code == 200, answer.get_json()
    assert len(seen["commits"]) == 1, seen
    assert sum(s.startswith("INSERT INTO audit_entries") for s in seen["statements"]) == 1
    assert len(releases(oidc_app)) == 2


def test_later_exchanges_do_not_fix_the_sector_or_index_the_subject_again(oidc_app, client, agency, citizen):
    """The sector is fixed at the first grant and the client is read again with it; the
    subject-index row is inserted once (PostgreSQL's rowcount of -1 made every grant insert it)."""
    for _ in range(2):
        code, flow = get_code(client, agency)
        assert exchange(client, agency, code, flow).status_code == 200
    code, flow = get_code(client, agency)
    with watched(oidc_app) as seen:
        assert exchange(client, agency, code, flow).status_code == 200
    written = [s for s in seen["statements"] if s.startswith(("INSERT", "UPDATE"))]
    again = [s for s in written if "clients" in s.split()[:3] or s.startswith("INSERT INTO document_subjects")]
    assert again == [], written


def test_once_everything_is_kept_the_exchange_commits_through_the_group_commit(oidc_app, client, agency, citizen):
    """The citizen, the standing decision, the fixed sector and the indexed subject kept per
    process: the grant, its refresh token and the log entry are appends, committed together
    (with concurrent requests' appends) in one transaction before the answer; the sign-in's
    counts follow within a second (`infra.deferred_counts`), not in that transaction."""
    from infra.deferred_counts import flush_pending
    from infra.group_commit import get_group_commit

    for _ in range(2):
        code, flow = get_code(client, agency, scope=OFFLINE)
        assert exchange(client, agency, code, flow).status_code == 200
    group = get_group_commit(oidc_app)
    code, flow = get_code(client, agency, scope=OFFLINE)
    flush_pending(get_db(oidc_app).engine)
    served = group.served
    with watched(oidc_app) as seen:
        answer = exchange(client, agency, code, flow)
    assert answer.status_code == 200, answer.get_json()
    assert "refresh_token" in answer.get_json()
    assert group.served == served + 1
    assert len(seen["commits"]) == 1, seen
    written = [s.split("(")[0].strip() for s in seen["statements"] if s.startswith(("INSERT", "UPDATE"))]
    assert written == ["INSERT INTO oidc_grants", "INSERT INTO oidc_refresh_tokens", "INSERT INTO audit_entries"]
    assert len(releases(oidc_app)) == 3
    refreshed = token_request(client, agency, {"grant_type": "refresh_token",
                                               "refresh_token": answer.get_json()["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.get_json()  # the grant and its token were written


def test_a_failed_group_commit_gives_no_tokens(oidc_app, client, agency, citizen, monkeypatch):
    """No log entry, no data: when the shared transaction fails, the request fails with it."""
    from infra.group_commit import GroupCommit

    for _ in range(2):
        code, flow = get_code(client, agency)
        assert exchange(client, agency, code, flow).status_code == 200

    def refused(self, writes=(), counts=()):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(GroupCommit, "commit", refused)
    code, flow = get_code(client, agency)
    answer = exchange(client, agency, code, flow)
    assert answer.status_code == 503, answer.get_data(as_text=True)[:300]
    assert "id_token" not in (answer.get_json() or {})
    assert len(releases(oidc_app)) == 2
