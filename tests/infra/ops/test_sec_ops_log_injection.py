"""Log injection (CWE-117): values an attacker chooses (a path, a header, a client name, a user
agent, an exception's message) never break a record over two lines, in the text format as in
JSON: a forged line such as "\\n2026-01-01T00:00:00.000Z INFO cedula.access: request status=200"
stays inside its field, escaped."""

from __future__ import annotations

import io
import json
import logging

import pytest

from infra.ops.logging import JsonFormatter, TextFormatter, configure

FORGED = "/x\n2026-01-01T00:00:00.000Z INFO cedula.access: request status=200"
BREAKS = ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\x1b[2J", "\x00"]


def _record(msg: str = "request", args: tuple = (), **extra) -> logging.LogRecord:
    record = logging.makeLogRecord({"msg": msg, "args": args, "name": "cedula.access", "levelname": "INFO",
                                    "levelno": logging.INFO})
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def _assert_one_clean_line(text: str) -> None:
    assert len(text.splitlines()) == 1, text
    assert text.isprintable(), repr(text)


@pytest.mark.parametrize("brk", BREAKS)
def test_text_format_escapes_control_characters_in_every_field(brk):
    record = _record("client %s signed in", (f"Registro{brk}Civil",), path=FORGED.replace("\n", brk),
                     user_agent=f"curl{brk}INFO fake", status=200)
    line = TextFormatter().format(record)
    _assert_one_clean_line(line)
    assert " INFO cedula.access: client Registro" in line
    assert "status=200" in line and "path=" in line and "user_agent=" in line


def test_text_format_quotes_values_that_could_pass_for_other_fields():
    line = TextFormatter().format(_record(path="/a status=500 remote=10.0.0.1", remote="1.2.3.4"))
    assert 'path="/a status=500 remote=10.0.0.1"' in line and "remote=1.2.3.4" in line
    back = TextFormatter().format(_record(path='/a" status="500\\'))
    assert 'path="/a\\" status=\\"500\\\\"' in back


def test_text_format_redacts_secrets_and_keeps_tracebacks_on_one_line():
    try:
        raise ValueError("bad value\nERROR fake: line")
    except ValueError:
        import sys

        record = _record("failed", client_secret="hunter2")
        record.exc_info = sys.exc_info()
    line = TextFormatter().format(record)
    _assert_one_clean_line(line)
    assert "hunter2" not in line and "client_secret=[redacted]" in line
    assert "ValueError: bad value\\nERROR fake: line" in line


@pytest.mark.parametrize("brk", BREAKS)
def test_json_lines_do_not_break_on_unicode_line_separators(brk):
    line = JsonFormatter().format(_record(path=FORGED.replace("\n", brk)))
    _assert_one_clean_line(line)
    assert json.loads(line)["path"] == FORGED.replace("\n", brk)


def test_configure_text_uses_the_escaping_formatter():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure("INFO", "text")
        (handler,) = root.handlers
        assert isinstance(handler.formatter, TextFormatter)
        stream = io.StringIO()
        handler.setStream(stream)
        logging.getLogger("cedula.access").info("request", extra={"path": FORGED})
        assert len(stream.getvalue().splitlines()) == 1
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
