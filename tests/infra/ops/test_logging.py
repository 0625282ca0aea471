"""Each node of a cluster says who it is: a response header and a field in every log line."""

from __future__ import annotations

import json
import logging

from idp import create_app
from infra.ops.logging import NODE_HEADER, JsonFormatter
from tests.conftest import settings_for


def test_node_name_in_header_and_logs(app, backend, tmp_path, monkeypatch):
    monkeypatch.setattr(JsonFormatter, "node", "")
    app = create_app(settings_for(backend, tmp_path, server={"node_name": "node-b"}))
    response = app.test_client().get("/healthz")
    assert response.headers[NODE_HEADER] == "node-b"
    line = json.loads(JsonFormatter().format(logging.makeLogRecord({"msg": "hello"})))
    assert line["node"] == "node-b"


def test_no_node_header_by_default(client):
    assert NODE_HEADER not in client.get("/healthz").headers


def test_request_ids_are_128_random_bits_never_repeated():
    from infra.ops.logging import new_request_id

    ids = {new_request_id() for _ in range(2000)}  # several of the 256-id buffers
    assert len(ids) == 2000
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def test_a_forked_child_does_not_hand_out_its_parents_request_ids():
    import os

    from infra.ops.logging import new_request_id

    new_request_id()  # the buffer holds ids yet to be handed out
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, then gone
        os.write(write, new_request_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    childs = os.read(read, 64).decode()
    os.close(read)
    assert len(childs) == 32 and childs != new_request_id()


def _failed_statements() -> list[Exception]:
    """A unique email inserted twice on SQLite (SQLAlchemy's `[parameters: ...]`), and the error
    PostgreSQL gives for it (its `DETAIL:` line names the value again)."""
    import pytest
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE citizens (national_id TEXT, email TEXT UNIQUE)"))
        row = {"national_id": "04567890-1", "email": "ana@example.org"}
        insert = sa.text("INSERT INTO citizens VALUES (:national_id, :email)")
        connection.execute(insert, row)
        with pytest.raises(sa.exc.IntegrityError) as caught:
            connection.execute(insert, row)
    postgres = sa.exc.IntegrityError(
        "INSERT INTO citizens (national_id, email) VALUES (%(national_id)s, %(email)s)", row,
        Exception('duplicate key value violates unique constraint "citizens_email_key"\n'
                  "DETAIL:  Key (email)=(ana@example.org) already exists.\n"))
    return [caught.value, postgres]


def test_a_failed_statement_logged_keeps_its_values_out_of_the_log():
    """An unexpected database error is logged with its traceback (`log.exception`) or its text
    (`extra={"error": str(exc)}`): the statement and the constraint are kept, the row's values
    (a national id, an email) are not, in either format."""
    import io

    from infra.ops.logging import TextFormatter

    log = logging.getLogger("tests.failed_statement")
    for formatter in (JsonFormatter(), TextFormatter()):
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
        log.addHandler(handler)
        try:
            for error in _failed_statements():
                try:
                    raise error
                except Exception as exc:
                    log.exception("unhandled error: %s", exc, extra={"error": str(exc)})
        finally:
            log.removeHandler(handler)
        written = stream.getvalue()
        assert "ana@example.org" not in written and "04567890-1" not in written, written
        assert "INSERT INTO citizens" in written and "citizens_email_key" in written
        assert "[parameters hidden]" in written and "Key (email)=[values hidden]" in written
