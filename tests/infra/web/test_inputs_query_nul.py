"""The direct routes' NUL check of the query (`infra.web.inputs._refuse_nul_in`) parses the
query only when its text holds a NUL or `%00`: it must refuse exactly the queries whose parsed
parameters (as werkzeug parses `Request.args`) hold one."""

from __future__ import annotations

import itertools
from urllib.parse import parse_qsl

import pytest

from infra.web.inputs import NulCharacter, UndecodableQuery, _refuse_nul_in

PIECES = ["a", "=", "&", "%00", "%2500", "%0", "0", "%", "+", "\x00", "%c3%a9", "%ff", ";", "%%00", "%000"]


def _holds_nul(query: str) -> bool:
    text = query.encode("latin1").decode()
    return any("\x00" in name or "\x00" in value
               for name, value in parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))


def test_refused_exactly_when_a_parameter_holds_nul() -> None:
    for query in ("".join(parts) for parts in itertools.product(PIECES, repeat=3)):
        expected = _holds_nul(query)
        try:
            _refuse_nul_in("/authorize", query)
        except NulCharacter:
            assert expected, query
        else:
            assert not expected, query


def test_query_not_utf8_refused_as_such() -> None:
    with pytest.raises(UndecodableQuery):
        _refuse_nul_in("/authorize", "state=\xff")
