"""Strict base64url."""

from __future__ import annotations

import pytest

from idp.webauthn.encoding import b64url, from_b64url


def test_round_trip_without_padding():
    for size in range(0, 40):
        data = bytes(range(size))
        assert "=" not in b64url(data)
        assert from_b64url(b64url(data)) == data


@pytest.mark.parametrize("value", ["a+b/", "abc$", "A", 12, None, "a" * 2000])
def test_refuses_what_is_not_base64url(value):
    with pytest.raises(ValueError):
        from_b64url(value, limit=1000)
