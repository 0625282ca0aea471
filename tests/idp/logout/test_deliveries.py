"""Back-channel logout deliveries live in the database's outbox: they outlive the ephemeral
store (a Redis restart without persistence) and are delivered once by whichever node claims
them first (tests/infra/test_outbox.py holds the outbox itself)."""

from __future__ import annotations

import json
import time

from idp.logout.deliveries import LogoutWorker
from infra.db import get_db
from infra.models import OUTBOX
from infra.outbox import Message
from tests.conftest import empty_store
from tests.idp.logout.test_backchannel import sign_out
from tests.idp.oidc.conftest import tokens_for


def _forget_everything_in_the_store(app) -> None:
    """What a Redis restart without AOF does: every key of this app gone."""
    empty_store(app)


def test_a_sign_out_is_delivered_after_the_store_forgot_everything(client, citizen, agencies, receiver, worker):
    tokens_for(client, agencies["a"])
    sign_out(client)
    _forget_everything_in_the_store(client.application)
    assert worker.run_once() == {"expanded": 1, "delivered": 1}
    assert len(receiver.tokens("a")) == 1


def test_two_nodes_working_the_outbox_deliver_each_logout_once(app, client, citizen, agencies, receiver, worker):
    from idp.logout import get_logout
    from idp.logout.backchannel import HANDLERS

    tokens_for(client, agencies["a"])
    tokens_for(client, agencies["b"])
    sign_out(client)
    other = LogoutWorker(app, handlers=HANDLERS, chores=(), settings=get_logout(app).settings)
    other.outbox.holder = "another-node"
    first, second = worker.run_once(), other.run_once()
    assert first + second == {"expanded": 1, "delivered": 2}
    assert sorted(r["path"] for r in receiver.received) == ["/a/backchannel-logout", "/b/backchannel-logout"]
    with get_db(app).read() as session:
        states = session.execute(OUTBOX.select().where(OUTBOX.c.topic.like("logout.%"))).all()
    assert sorted(row.state for row in states) == ["delivered"] * 3


def test_expanding_a_session_twice_puts_each_delivery_once(app, client, citizen, agencies, receiver, worker):
    """A node that died after expanding but before recording it: the next node expands again."""
    from idp.logout.backchannel import expand_session

    tokens_for(client, agencies["a"])
    sign_out(client)
    with get_db(app).read() as session:
        row = session.execute(OUTBOX.select().where(OUTBOX.c.topic == "logout.session")).one()
    message = Message(id=row.id, topic=row.topic, key=row.key, payload=json.loads(row.payload),
                      attempts=1, claimed_by="dead-node", claimed_until=0.0)
    with app.app_context():
        expand_session(message, time.time())
        expand_session(message, time.time())
    assert worker.run_once() == {"expanded": 1, "delivered": 1}
    assert len(receiver.tokens("a")) == 1
