"""The guarded outbound client (`infra.outbound`): what it refuses before connecting, what it
connects to, and how it bounds what a hostile peer can make it do.

The attack families of issue 14 (address families, IPv4 inside IPv6, number notations, names
resolving to private addresses, redirects, slow peers, oversized bodies, port probing) are
each a parametrised test here; `tests/security/test_ssrf.py` runs them through the product's
own features.
"""

from __future__ import annotations

import ipaddress
import socket
import threading

import pytest

from infra.config import ConfigError
from infra.outbound import GENERIC, Outbound, OutboundError, OutboundPolicy, policy_from, refusal
from tests.support import peers
from tests.support.ports import refused_port

LOCAL = ipaddress.ip_network("127.0.0.1/32")
# An operator's deployment: https only, public addresses only, except the test peers' one
# address standing in for an allowed agency network. Their budget is a cap, not what these
# tests measure (those that do pass their own short `total_seconds`): a loaded machine can
# take seconds over a loopback answer, which would turn an expected outcome into "timeout".
STRICT = OutboundPolicy(allow_loopback=False, allowed_networks=(LOCAL,), total_seconds=60)
DEMO = OutboundPolicy(allow_loopback=True, total_seconds=60)

REFUSED_ADDRESSES = [
    "127.0.0.1", "127.8.9.10", "[::1]", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "224.0.0.251", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "198.18.0.1", "192.0.2.1", "[fe80::1]", "[fc00::1]", "[fd12:3456::1]", "[ff02::1]", "[::]",
    "[fec0::1]", "[::ffff:127.0.0.1]", "[::ffff:10.0.0.1]", "[::ffff:169.254.169.254]",
    "[64:ff9b::a9fe:a9fe]", "[2002:a00:1::1]", "[::127.0.0.1]", "[2001:db8::1]",
    # special-purpose blocks some Python releases' `ipaddress` calls global (3.11.7: all of these)
    "192.0.0.8", "192.0.0.170", "192.88.99.1", "[3fff::1]", "[5f00::1]", "[100::1]", "[64:ff9b:1::a00:1]",
]


def no_dns(*_args):
    raise AssertionError("an IP literal must not be looked up")


@pytest.mark.parametrize("host", REFUSED_ADDRESSES)
def test_non_public_addresses_are_refused_before_any_connection(host, monkeypatch):
    def no_connect(*_args, **_kwargs):
        raise AssertionError("a refused address must never be connected to")

    monkeypatch.setattr(socket, "create_connection", no_connect)
    client = Outbound(OutboundPolicy(allow_loopback=False), resolver=no_dns)
    with pytest.raises(OutboundError) as caught:
        client.get(f"https://{host}/jwks.json")
    assert caught.value.reason == "address", caught.value.detail
    assert str(caught.value) == GENERIC


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0x7f.0.0.1",
                                  "017700000001", "0x7f.1", "10.1", "3232235777", "0xa9.0xfe.0xa9.0xfe"])
def test_numbers_that_are_not_canonical_addresses_are_refused_without_a_look_up(host):
    # Even in the demo, where loopback is allowed: the C library reads these its own way.
    client = Outbound(DEMO, resolver=no_dns)
    with pytest.raises(OutboundError) as caught:
        client.get(f"http://{host}:8080/")
    assert caught.value.reason == "address"


@pytest.mark.parametrize(("name", "addresses"), [
    ("internal.agency.gov", ["10.1.2.3"]),
    ("metadata.cloud.example", ["169.254.169.254"]),
    ("rebind.example", ["93.184.216.34", "127.0.0.1"]),  # one bad answer among good ones
    ("six.example", ["2001:4860::1", "fd00::1"]),
    ("mapped.example", ["::ffff:192.168.0.1"]),
    ("localhost", ["127.0.0.1", "::1"]),
])
def test_names_resolving_to_any_non_public_address_are_refused(name, addresses, monkeypatch):
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("connected"))
    client = Outbound(OutboundPolicy(allow_loopback=False), resolver=peers.resolver({name: addresses}))
    with pytest.raises(OutboundError) as caught:
        client.get(f"https://{name}/")
    assert caught.value.reason == "address"


def test_the_connection_goes_to_the_checked_address_not_to_a_second_answer():
    calls: list[str] = []
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])  # a rebinding DNS server

    def rebinding(host, port, *_):
        calls.append(host)
        return peers.resolver({host: next(answers)})(host, port)

    with peers.serve(peers.json_answer('{"keys": []}')) as peer:
        client = Outbound(DEMO, resolver=rebinding)
        assert client.get_json(peer.url("/jwks", host="agency.localtest")) == {"keys": []}
    assert calls == ["agency.localtest"] and peer.connections == 1


def test_https_to_an_allowed_network_verifies_the_certificate_for_the_name(tmp_path):
    ca = peers.LoopbackCa(tmp_path)
    names = peers.resolver({"jwks.agency.test": ["127.0.0.1"], "other.agency.test": ["127.0.0.1"]})
    with peers.serve(peers.json_answer('{"keys": [1]}'), tls=ca.server_context("jwks.agency.test")) as peer:
        client = Outbound(STRICT, resolver=names, tls=ca.client_context())
        assert client.get_json(peer.url("/jwks", scheme="https", host="jwks.agency.test")) == {"keys": [1]}
        assert b"Host: jwks.agency.test:" in peer.requests[0]
        with pytest.raises(OutboundError) as caught:  # a certificate for another name
            client.get_json(peer.url("/jwks", scheme="https", host="other.agency.test"))
        assert caught.value.reason == "tls"


def test_http_is_refused_outside_a_loopback_deployment():
    with peers.serve(peers.json_answer("{}")) as peer:
        client = Outbound(STRICT, resolver=peers.resolver({"agency.test": ["127.0.0.1"]}))
        with pytest.raises(OutboundError) as caught:
            client.get(peer.url(host="agency.test"))
    assert caught.value.reason == "scheme" and peer.connections == 0


def test_loopback_http_is_allowed_only_in_a_loopback_deployment():
    with peers.serve(peers.json_answer('{"ok": true}')) as peer:
        assert Outbound(DEMO).get_json(peer.url()) == {"ok": True}
        with pytest.raises(OutboundError) as caught:
            Outbound(OutboundPolicy(allow_loopback=False)).get_json(peer.url())
    assert caught.value.reason == "address" and peer.connections == 1


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
                                    "http://[::ffff:10.0.0.1]/", "http://2130706433/", "file:///etc/passwd",
                                    "gopher://127.0.0.1:6379/_FLUSHALL", "http://internal.agency.gov/"])
def test_every_redirect_is_checked_like_the_first_request(target):
    names = peers.resolver({"internal.agency.gov": ["10.9.8.7"]})
    with peers.serve(peers.redirect(target)) as peer:
        with pytest.raises(OutboundError) as caught:
            Outbound(DEMO, resolver=names).get(peer.url("/jwks"))
    assert caught.value.reason in ("address", "scheme")
    assert peer.connections == 1


def test_redirects_are_followed_a_bounded_number_of_times():
    with peers.serve(peers.json_answer('{"keys": []}')) as final, \
            peers.serve(peers.redirect(final.url("/jwks"), status=301)) as hop:
        assert Outbound(DEMO).get_json(hop.url()) == {"keys": []}
    with peers.serve(lambda c: (c.request(), c.send(peers.response(302, headers={"Location": "/again"})))) as loop:
        with pytest.raises(OutboundError) as caught:
            Outbound(DEMO).get(loop.url())
    assert caught.value.reason == "redirects" and loop.connections == DEMO.max_redirects + 1


def test_a_delivery_never_follows_a_redirect():
    with peers.serve(peers.redirect("http://10.0.0.1/")) as peer:
        answer = Outbound(DEMO).post_form(peer.url("/logout"), {"logout_token": "x"})
    assert answer.status == 302 and peer.connections == 1
    assert peer.requests[0].endswith(b"logout_token=x")


def test_a_slow_loris_peer_is_cut_off_by_the_total_budget_not_per_read():
    # Each byte comes well within any per-read timeout; the whole answer would take 40 s.
    slow = peers.trickle(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X-Pad: 1\r\n" * 80,
                         every=0.05)
    with peers.serve(slow) as peer:
        with pytest.raises(OutboundError) as caught:
            Outbound(DEMO).get(peer.url(), total_seconds=0.5)
        assert peer.finished.wait(60)  # a cap; it ends as soon as the peer notices the client left
    assert peer.abandoned.is_set()  # cut off by the budget, long before the peer was done
    assert caught.value.reason == "timeout"
    assert peer.abandoned.is_set()  # the client hung up long before the peer was done


def test_a_peer_that_says_nothing_costs_one_budget():
    release = threading.Event()
    with peers.serve(peers.hold(release)) as peer:
        with pytest.raises(OutboundError) as caught:
            Outbound(DEMO).get(peer.url(), total_seconds=0.3)
        release.set()
    assert caught.value.reason == "timeout"


def test_a_declared_oversized_body_is_refused_before_reading():
    # The peer announces 50 MB and sends 10 bytes: reading it would wait out the budget.
    release = threading.Event()

    def oversized(connection: peers.Connection) -> None:
        connection.request()
        connection.send(b"HTTP/1.1 200 OK\r\nContent-Length: 50000000\r\n\r\n0123456789")
        release.wait(30)

    with peers.serve(oversized) as peer:
        with pytest.raises(OutboundError) as caught:
            Outbound(DEMO).get(peer.url(), max_bytes=64 * 1024, total_seconds=10)
        release.set()
    assert caught.value.reason == "too_large"


def test_a_content_length_of_digits_int_cannot_read_is_no_crash():
    # b"\xb2" is "²" in Latin-1 (how http.client decodes headers): str.isdigit() says yes, int() says no.
    def superscript(connection: peers.Connection) -> None:
        connection.request()
        connection.send(b"HTTP/1.1 200 OK\r\nContent-Length: \xb2\r\nConnection: close\r\n\r\nhola")

    with peers.serve(superscript) as peer:
        answer = Outbound(DEMO).get(peer.url(), max_bytes=1024, total_seconds=10)
    assert answer.status == 200 and answer.body == b"hola"


def test_an_undeclared_oversized_body_is_read_only_up_to_the_cap():
    chunk = b"x" * 4096
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(64)) + b"0\r\n\r\n"

    def chunked(connection: peers.Connection) -> None:
        connection.request()
        connection.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body)

    with peers.serve(chunked) as peer:
        with pytest.raises(OutboundError) as caught:
            Outbound(DEMO).get(peer.url(), max_bytes=16 * 1024)
        small = Outbound(DEMO).get(peer.url(), max_bytes=len(chunk) * 64)
    assert caught.value.reason == "too_large"
    assert small.body == chunk * 64


def test_errors_do_not_tell_an_open_port_from_a_closed_one():
    closed_port = refused_port()
    messages = set()
    reasons = set()
    release = threading.Event()
    with peers.serve(peers.answer(404)) as not_found, peers.serve(peers.answer(200, b"<html>")) as html, \
            peers.serve(peers.hold(release)) as silent:
        # Only the silent peer's budget is short (it is what runs out); the others answer, and
        # a loaded machine must not turn their answer into a timeout.
        for url, seconds in ((f"http://127.0.0.1:{closed_port}/", 60), (not_found.url(), 60), (html.url(), 60),
                             (silent.url(), 0.5), ("http://10.0.0.1/", 60)):
            with pytest.raises(OutboundError) as caught:
                Outbound(DEMO).get_json(url, total_seconds=seconds)
            messages.add(str(caught.value))
            reasons.add(caught.value.reason)
        release.set()
    assert messages == {GENERIC}
    assert reasons == {"connect", "status", "content", "timeout", "address"}  # the log knows


def test_refusal_names_what_an_address_is():
    policy = OutboundPolicy()
    assert refusal(ipaddress.ip_address("::ffff:169.254.169.254"), policy).endswith("a link-local address")
    assert refusal(ipaddress.ip_address("8.8.8.8"), policy) is None
    assert refusal(ipaddress.ip_address("2606:4700::1111"), policy) is None
    allowed = OutboundPolicy(allowed_networks=(ipaddress.ip_network("10.20.0.0/16"),))
    assert refusal(ipaddress.ip_address("10.20.3.4"), allowed) is None
    assert refusal(ipaddress.ip_address("10.21.3.4"), allowed) == "a private address"


def _settings(**outbound):
    values = {"total_seconds": 5, "max_bytes": 1048576, "max_redirects": 3, "allow_loopback": "auto",
              "allowed_networks": [], **outbound}
    return {"outbound": values}


def test_loopback_is_allowed_only_for_a_loopback_issuer():
    assert policy_from(_settings(), "http://localhost:8000").allow_loopback
    assert policy_from(_settings(), "http://127.0.0.1:8000").allow_loopback
    assert not policy_from(_settings(), "https://id.gob.example").allow_loopback
    assert not policy_from(_settings(allow_loopback="never"), "http://localhost:8000").allow_loopback
    with pytest.raises(ConfigError, match="allowed_networks"):
        policy_from(_settings(allowed_networks=["intranet"]), "https://id.gob.example")
    with pytest.raises(ConfigError, match="allow_loopback"):
        policy_from(_settings(allow_loopback=True), "https://id.gob.example")
