"""Closing an account keeps its national ID as a keyed pseudonym, and the same person may enrol
again (`test_closure`). The pseudonym was a function of the national ID alone, so the second
account of that ID could never be closed: its pseudonym was the first one's, the unique
national ID constraint refused the update, and the citizen got a 500 for their right to
erasure. Whoever enrolled a person's details first and closed that account (an impostor
covering their tracks) thereby kept the person from ever closing the account they enrolled
after it. Each closed account now has a pseudonym of its own, which still answers "was this ID
ever enrolled?" to an operator holding the key (`closure.pseudonym_prefix`)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from tests.idp.conftest import enrol
from tests.idp.consent.conftest import csrf_from


def _close(browser) -> int:
    html = browser.get("/account/close").get_data(as_text=True)
    return browser.post("/account/close", data={"csrf_token": csrf_from(html), "confirm": "close"}).status_code


def test_an_account_enrolled_after_a_closed_one_of_the_same_id_can_be_closed(client, citizen):
    assert _close(client) == 200  # the first account of this national ID (an impostor's)
    owner = client.application.test_client()
    again = enrol(owner)  # the person enrols with their own details
    assert again.citizen_id != citizen.citizen_id
    assert _close(owner) == 200  # was 500: UNIQUE constraint failed on citizens.national_id
    assert owner.get("/account").status_code == 302  # signed out: closed

    from idp.citizens.models import Citizen
    from idp.consent.closure import pseudonym_prefix
    from infra.db import get_db
    from infra.secrets import get_secrets

    app = client.application
    with app.app_context():
        key = get_secrets(app).key("account-closure")
    with get_db(app).read() as db:
        rows = {str(r.id): (r.national_id_scheme, r.national_id) for r in db.scalars(sa.select(Citizen).where(
            Citizen.id.in_([uuid.UUID(citizen.citizen_id), uuid.UUID(again.citizen_id)])))}
    (scheme, first), (_, second) = rows[citizen.citizen_id], rows[again.citizen_id]
    assert first != second and len(first) == len(second) == 64
    assert citizen.national_id not in first + second
    # An operator holding the key still finds every closed account of the ID.
    prefix = pseudonym_prefix(key, scheme=scheme, national_id=citizen.national_id)
    assert first.startswith(prefix) and second.startswith(prefix)
