"""The sign-in history: each sign-in and re-check recorded with browser and system only, the
newest kept, shown on the security page, deleted when the account is closed."""

from __future__ import annotations

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


def test_only_the_newest_are_kept(client):
    enrolled = enrol(client)
    citizen = uuid.UUID(enrolled.citizen_id)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with get_db(client.application).transaction() as db:
        for n in range(sign_ins.KEEP + 5):
            sign_ins.record(db, citizen_id=citizen, kind="sign_in", user_agent=FIREFOX_WINDOWS,
                            credential_id=None, now=start + timedelta(minutes=n))
    kept = rows(client, enrolled.citizen_id)
    assert len(kept) == sign_ins.KEEP
    with get_db(client.application).read() as db:
        shown = sign_ins.recent(db, citizen)
    assert shown[0].at > shown[-1].at  # newest first, the enrolment's long gone


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
        closure.close_account(db, policy=consents.policy, sign=consents.sign, pseudonym_key=b"k" * 32,
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
