"""A citizen withdrawing an agency's access while one of its codes is being exchanged leaves no
live grant and no valid token (review of issue 16): the withdrawal revokes the grants it finds,
and a grant created after it looked is revoked by the exchange itself, which looks for the
withdrawal's mark once the grant is written (as it looks for a code presented twice)."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from idp.oidc import services
from tests.idp.oidc.conftest import bearer, exchange, get_code, tokens_for
from tests.idp.oidc.test_standing import withdraw

OFFLINE = "openid profile email offline_access"


def _active_grants(app, agency) -> int:
    from idp.oidc.models import Grant
    from infra.db import get_db

    with get_db(app).read() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Grant).where(
            Grant.client_id == agency.client_id, Grant.revoked_at.is_(None)))


def test_a_withdrawal_between_the_code_and_the_grant_leaves_nothing_alive(client, register, citizen, monkeypatch):
    agency = register(scope=OFFLINE)
    for _ in range(2):  # the citizen, the decision, the sector kept: the exchange's quickest way
        tokens_for(client, agency, scope=OFFLINE)
    code, flow = get_code(client, agency, scope=OFFLINE)
    writes = services._exchange_writes
    withdrawn: list[bool] = []

    def withdrawing_meanwhile(*args, **kwargs):
        # The code is taken and the citizen's decision checked; the grant is not written yet.
        if not withdrawn:
            worker = threading.Thread(target=lambda: withdrawn.append(withdraw(client, agency) is None))
            worker.start()
            worker.join(60)
        return writes(*args, **kwargs)

    monkeypatch.setattr(services, "_exchange_writes", withdrawing_meanwhile)
    answer = exchange(client, agency, code, flow)
    monkeypatch.undo()
    assert withdrawn == [True]
    assert _active_grants(client.application, agency) == 0
    assert answer.status_code == 400, answer.get_json()
    # Refused by the withdrawal's mark after the grant's commit, or first by the release's guard in
    # the grant's own transaction (the consent is no longer in force when its log entry is written).
    assert answer.get_json()["error"] == "invalid_grant"
    assert answer.get_json()["error_description"] in (
        "the citizen withdrew this agency's access while this code was exchanged; start a new "
        "authorization request",
        "the citizen's consent for this agency is no longer in force (withdrawn or expired) when the "
        "release was logged: no data is released; sign the citizen in again to ask for it")


def test_a_new_decision_after_a_withdrawal_redeems(client, register, citizen):
    """The withdrawal's mark refuses only the codes issued before it, to the microsecond: a
    citizen who withdraws and allows again within the same second is not refused (when codes
    were ordered by whole seconds, this failed unless a second ended in between)."""
    agency = register(scope=OFFLINE)
    tokens_for(client, agency, scope=OFFLINE)
    withdraw(client, agency)
    code, flow = get_code(client, agency, scope=OFFLINE)
    answer = exchange(client, agency, code, flow)
    assert answer.status_code == 200, answer.get_json()
    assert client.get("/userinfo", headers=bearer(answer.get_json()["access_token"])).status_code == 200


def test_a_code_issued_while_the_withdrawal_commits_leaves_nothing_alive(client, register, citizen, monkeypatch):
    """/authorize run between the withdrawal's mark and its commit still reads the standing
    consent (in force until the commit) and issues a code at once: that code is refused at
    /token and leaves no live grant. (Already so before the withdrawal marked again after its
    commit: the exchange compares the consent's revocation with the code's date, and refuses
    it; kept as the consent side of the recovery race in tests/security/test_sec7_*.)"""
    from idp.documents import prepared

    agency = register(scope=OFFLINE)
    tokens_for(client, agency, scope=OFFLINE)
    declining = prepared.decline_waiting
    issued: list[tuple[str, object]] = []

    def authorize_before_the_commit(*args, **kwargs):
        declining(*args, **kwargs)  # in the withdrawal's transaction, after its mark and its reads
        worker = threading.Thread(target=lambda: issued.append(get_code(client, agency, scope=OFFLINE)))
        worker.start()
        worker.join(60)

    monkeypatch.setattr(prepared, "decline_waiting", authorize_before_the_commit)
    assert withdraw(client, agency) is None
    monkeypatch.undo()
    assert len(issued) == 1
    code, flow = issued[0]

    answer = exchange(client, agency, code, flow)
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["error"] == "invalid_grant"
    assert _active_grants(client.application, agency) == 0
