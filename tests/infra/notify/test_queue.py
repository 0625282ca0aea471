"""Messages queued in the transaction of a change (infra.notify.queue): committed with it,
dropped with it, sent later by the notify worker (or `cedula notify deliver`)."""

from __future__ import annotations

import pytest

from infra.db import get_db
from infra.notify import InvalidMessage, get_outbox, get_worker, queue
from tests.infra.notify.test_outbox import message


def test_a_message_is_sent_only_if_its_transaction_commits(app):
    from tests.conftest import empty_tables

    empty_tables(app)
    with pytest.raises(RuntimeError), get_db(app).transaction() as session:
        assert queue(session, key="rolled-back", **message(subject="Nunca"))
        raise RuntimeError("the change failed")
    with get_db(app).transaction() as session:
        assert queue(session, key="committed", **message())
        assert not queue(session, key="committed", **message())  # the same key: queued once
    assert get_outbox(app).messages() == []  # queued, not sent in the transaction
    assert get_worker(app).run_once() == {"sent": 1}
    [sent] = get_outbox(app).messages()
    assert sent.subject == "Código" and sent.address == "ana@example.org"
    assert get_worker(app).run_once() == {}


def test_a_malformed_message_is_refused_when_queued(app):
    with pytest.raises(InvalidMessage), get_db(app).transaction() as session:
        queue(session, key="bad", **message(subject="two\nlines"))


def test_cli_deliver(app):
    from click.testing import CliRunner

    from idp.cli import Context, cli
    from tests.conftest import empty_tables

    empty_tables(app)
    context = Context(app=app)
    runner = CliRunner()
    assert runner.invoke(cli, ["notify", "deliver"], obj=context).output == "nothing due\n"
    with get_db(app).transaction() as session:
        queue(session, key="one", **message())
    result = runner.invoke(cli, ["notify", "deliver"], obj=context)
    assert result.exit_code == 0 and result.output == "sent: 1\n"
