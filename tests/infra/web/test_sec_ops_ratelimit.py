"""Rate limits by client address: an IPv6 client holds a whole /64 (usually more), so one
address each attempt must not give it a fresh allowance each time."""

from __future__ import annotations

import pytest


def test_addresses_of_one_ipv6_network_share_a_limit():
    from infra.web.ratelimit import address_of

    first = address_of("2001:db8:1:2::1")
    assert address_of("2001:db8:1:2:ffff:ffff:ffff:fffe") == first
    assert address_of("2001:DB8:1:2:0:0:0:7") == first
    assert address_of("2001:db8:1:3::1") != first


@pytest.mark.parametrize("remote, key", [("203.0.113.9", "203.0.113.9"), ("::ffff:203.0.113.9", "203.0.113.9"),
                                         (None, "unknown"), ("not-an-address", "not-an-address")])
def test_other_addresses_are_kept(remote, key):
    from infra.web.ratelimit import address_of

    assert address_of(remote) == key


def test_rotating_ipv6_addresses_does_not_escape_the_limit(app):
    from flask import Flask

    from infra.web.ratelimit import RateLimited, hit

    assert isinstance(app, Flask)
    with pytest.raises(RateLimited):
        for n in range(100):
            with app.test_request_context("/", environ_base={"REMOTE_ADDR": f"2001:db8::{n + 1:x}"}):
                hit("sec-ops-test", limit=5, window=60)
