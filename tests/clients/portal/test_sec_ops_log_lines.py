"""The portal's log is plain text, one event a line: what a visitor sends (the callback's
error_description, a logout token) must not start lines of its own."""

from __future__ import annotations

import logging


def test_a_newline_in_a_logged_value_does_not_forge_a_line():
    from clients.portal.__main__ import OneLineFormatter

    formatter = OneLineFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord("clients.portal", logging.WARNING, __file__, 1, "sign-in failed: %s",
                               ("access_denied: x\r\nINFO back-channel logout ended 9 session(s)",), None)
    line = formatter.format(record)
    assert "\n" not in line and "\r" not in line
    assert line == "WARNING sign-in failed: access_denied: x\\r\\nINFO back-channel logout ended 9 session(s)"
