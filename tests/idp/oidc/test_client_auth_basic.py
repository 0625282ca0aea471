"""`client_auth._basic`: the Basic credentials read as `base64.b64decode(..., validate=True)`
and `unquote_plus` read them (RFC 7617, RFC 6749 section 2.3.1), refusals included."""

from __future__ import annotations

import base64
from urllib.parse import unquote_plus

import pytest

from idp.oidc.client_auth import _basic
from idp.oidc.errors import InvalidClient


def _reference(header: str) -> tuple[str, str] | str:
    try:
        decoded = base64.b64decode(header.strip(), validate=True).decode("utf-8")
    except ValueError:
        return "not base64"
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id:
        return "must be client_id:client_secret"
    return unquote_plus(client_id), unquote_plus(secret)


def _b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


CASES = [
    _b64("portal:s3cret"), " " + _b64("portal:s3cret") + " ", _b64("por+tal:se+cret"),
    _b64("por%3Atal:se%25cr%2Bet"), _b64("a%zz:b%"), _b64("portal:"), _b64(":secret"), _b64("portal"),
    _b64("p:a:b"), _b64("ñandú:clave"), _b64(b"\xff\xfe:x"), _b64("portal:s3cret")[:-1],
    _b64("portal:s3cret") + "=", "Zm9v OmJhcg==", "café", "", "====", _b64("portal:s3cret") + "\n",
    _b64("p%00:x"), _b64("p+%2B:%20+"),
]


@pytest.mark.parametrize("header", CASES)
def test_basic_reads_as_b64decode_and_unquote_plus(header: str) -> None:
    expected = _reference(header)
    if isinstance(expected, tuple):
        assert _basic(header) == expected
    else:
        with pytest.raises(InvalidClient, match=expected) as refused:
            _basic(header)
        assert refused.value.basic
