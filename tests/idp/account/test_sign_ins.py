"""The sign-in history: each sign-in and re-check recorded with browser and system only, the
newest kept, shown on the security page, deleted when the account is closed."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from idp.account import sign_ins
from idp.account.models import SignIn
from infra.db import get_db
from tests.idp.conftest import enrol, recheck, sign_in
from tests.support.authenticator import SoftwareAuthenticator

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def rows(client, citizen_id: str) -> list[SignIn]:
    with get_db(client.application).read() as db:
        return list(db.query(SignIn).filter_by(citizen_id=uuid.UUID(citizen_id)).order_by(SignIn.id))


def test_sign_ins_and_rechecks_are_recorded_and_shown(client):
    key = SoftwareAuthenticator()
    enrolled = enrol(client, key)
    laptop = client.application.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = FIREFOX_WINDOWS
    assert sign_in(laptop, key).status_code == 200
    assert recheck(laptop, key).status_code == 200
    found = rows(client, enrolled.citizen_id)
    assert [r.kind for r in found] == ["sign_in", "sign_in", "recheck"]
    assert found[1].device == "Firefox|Windows" and found[1].passkey_name
    assert all("Mozilla" not in (r.device or "") for r in found)
    html = laptop.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    table = html[html.index('id="sign-in-history"'):html.index("</table>")]
    assert table.count('<tr class="sign-in"') == 3
    assert table.index('data-kind="recheck"') < table.index('data-kind="sign_in"')  # newest first
    assert "Firefox on Windows" in table and "Passkey check" in table


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def stored_times(client, citizen_id: str) -> list[datetime]:
    return sorted((_aware(r.at) for r in rows(client, citizen_id)), reverse=True)


def shown_times(client, citizen: uuid.UUID) -> list[datetime]:
    with get_db(client.application).read() as db:
        return [s.at for s in sign_ins.recent(db, citizen)]


def test_the_history_holds_at_most_MOST_and_trims_to_the_newest_KEEP(client):
    """Entries accumulate up to MOST; the one that would make MOST + 1 trims the history to the
    newest KEEP in its own transaction. The page shows the newest KEEP, newest first, always."""
    enrolled = enrol(client)
    citizen = uuid.UUID(enrolled.citizen_id)
    recorded = stored_times(client, enrolled.citizen_id)  # the enrolment's sign-in
    assert len(recorded) == 1
    start = datetime.now(UTC) + timedelta(days=1)
    expected_size, sizes, expected_sizes = 1, [], []
    for n in range(2 * sign_ins.MOST + 3):
        at = start + timedelta(minutes=n)
        with get_db(client.application).transaction() as db:
            sign_ins.record(db, citizen_id=citizen, kind="sign_in", user_agent=FIREFOX_WINDOWS,
                            credential_id=None, now=at)
        recorded.insert(0, at)
        expected_size = expected_size + 1 if expected_size < sign_ins.MOST else sign_ins.KEEP
        expected_sizes.append(expected_size)
        stored = stored_times(client, enrolled.citizen_id)
        sizes.append(len(stored))
        assert stored == recorded[:len(stored)]  # only the oldest ever go
        assert shown_times(client, citizen) == recorded[:sign_ins.KEEP]
    assert sizes == expected_sizes
    trims = [after for before, after in itertools.pairwise(sizes) if after < before]
    assert max(sizes) == sign_ins.MOST and len(trims) >= 2 and set(trims) == {sign_ins.KEEP}
    assert sign_ins.KEEP < sign_ins.MOST


def test_a_passkey_sign_in_trims_the_history_too(client):
    key = SoftwareAuthenticator()
    enrolled = enrol(client, key)
    citizen = uuid.UUID(enrolled.citizen_id)
    start = datetime.now(UTC) - timedelta(days=1)
    with get_db(client.application).transaction() as db:
        for n in range(sign_ins.MOST - 2):  # with the enrolment's: MOST - 1
            sign_ins.record(db, citizen_id=citizen, kind="sign_in", user_agent="",
                            credential_id=None, now=start + timedelta(minutes=n))
    assert sign_in(client, key).status_code == 200
    assert len(rows(client, enrolled.citizen_id)) == sign_ins.MOST
    assert sign_in(client, key).status_code == 200
    kept = rows(client, enrolled.citizen_id)
    assert len(kept) == sign_ins.KEEP
    assert [r.kind for r in kept][-2:] == ["recheck", "recheck"]  # the newest two stayed
    assert shown_times(client, citizen) == stored_times(client, enrolled.citizen_id)


def test_concurrent_sign_ins_keep_the_newest_and_the_bound(client):
    """Sign-ins of one citizen in parallel transactions (PostgreSQL: truly concurrent) all
    commit; none drops one of the newest KEEP, and the bound holds again at the next one."""
    import threading

    enrolled = enrol(client)
    citizen = uuid.UUID(enrolled.citizen_id)
    engine = get_db(client.application).engine
    start = datetime.now(UTC) + timedelta(days=1)
    threads, each = 4, sign_ins.MOST
    errors: list[BaseException] = []
    ready = threading.Barrier(threads)

    def sign_in_many(thread: int) -> None:
        ready.wait(60)
        try:
            for n in range(each):
                with engine.begin() as connection:
                    sign_ins._add(connection, citizen_id=citizen, kind="sign_in", device=None,
                                  passkey_name=None,
                                  now=start + timedelta(minutes=n, seconds=thread))
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=sign_in_many, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    newest = sorted((start + timedelta(minutes=n, seconds=t)
                     for n in range(each) for t in range(threads)), reverse=True)
    assert shown_times(client, citizen) == newest[:sign_ins.KEEP]
    assert sign_ins.KEEP <= len(rows(client, enrolled.citizen_id)) <= sign_ins.MOST + threads - 1
    last = start + timedelta(days=1)
    with engine.begin() as connection:
        sign_ins._add(connection, citizen_id=citizen, kind="sign_in", device=None,
                      passkey_name=None, now=last)
    assert sign_ins.KEEP <= len(rows(client, enrolled.citizen_id)) <= sign_ins.MOST
    assert shown_times(client, citizen) == [last, *newest[:sign_ins.KEEP - 1]]


def test_an_unknown_citizen_records_nothing(client):
    with get_db(client.application).transaction() as db:
        sign_ins.record(db, citizen_id=uuid.uuid4(), kind="sign_in", user_agent="", credential_id=None,
                        now=datetime.now(UTC))
        assert db.query(SignIn).count() == 0


def test_closing_the_account_deletes_the_history(client):
    from idp.consent import closure, get_consents

    enrolled = enrol(client)
    assert rows(client, enrolled.citizen_id)
    app = client.application
    with app.app_context(), get_db(app).transaction() as db:
        consents = get_consents(app)
        closure.close_account(db, policy=consents.policy, sign=consents.sign, grants=consents.grants,
                              pseudonym_key=b"k" * 32,
                              citizen_id=enrolled.citizen_id, language="es", now=datetime.now(UTC))
    assert rows(client, enrolled.citizen_id) == []


def test_the_export_holds_the_history(client):
    enrolled = enrol(client)
    data = client.get("/account/export").get_json()
    assert [s["kind"] for s in data["sign_ins"]] == ["sign_in"]
    assert len(rows(client, enrolled.citizen_id)) == 1


def test_a_passkey_sign_in_writes_its_entry_in_its_own_transaction(client):
    """One commit per sign-in (the entry, the sign count and the passkey's device together),
    one entry per sign-in: a new browser's is a sign-in, the same citizen signing in again in
    the same browser a re-check (the session is re-authenticated, not replaced)."""
    import sqlalchemy as sa

    key = SoftwareAuthenticator()
    enrolled = enrol(client, key)
    laptop = client.application.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = FIREFOX_WINDOWS
    engine = get_db(client.application).engine
    commits = []

    def counted(_conn):
        commits.append(1)

    sa.event.listen(engine, "commit", counted)
    try:
        assert sign_in(laptop, key).status_code == 200
        first = len(commits)
        assert sign_in(laptop, key).status_code == 200
    finally:
        sa.event.remove(engine, "commit", counted)
    assert first == 1 and len(commits) == 2
    found = rows(client, enrolled.citizen_id)
    assert [r.kind for r in found] == ["sign_in", "sign_in", "recheck"]
    assert found[1].device == found[2].device == "Firefox|Windows"
    with get_db(client.application).read() as db:
        from idp.citizens.models import Passkey

        assert db.scalar(sa.select(Passkey.last_used_device)) == "Firefox|Windows"
