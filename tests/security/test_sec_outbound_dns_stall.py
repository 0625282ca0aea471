"""A name whose look-up never ends holds up only the requests for it (infra.outbound).

Every outbound request resolved its host on one process-wide pool of eight threads, and a
look-up its request had stopped waiting for stayed queued there. Whoever chooses a URL the
provider fetches (a registration's or RFC 7592 update's 21 logo_uris, its jwks_uri or
sector_identifier_uri) can name hosts under a zone whose name servers never answer: eight such
look-ups took every thread and the next queued behind them, so another agency's jwks_uri, a
sector check or a back-channel logout timed out ("could not be fetched") until they all ended,
and an update repeated every few seconds kept it so.
"""

from __future__ import annotations

import socket
import threading

import pytest

from infra.outbound import Outbound, OutboundError, OutboundPolicy
from tests.support import peers

STUCK = ".stuck.test"


def stalling_resolver(release: threading.Event):
    """getaddrinfo for made-up names: those under STUCK hang until `release`, the rest are this
    machine (the test peer)."""

    def resolve(host: str, port: int, family: int = 0, kind: int = 0, *_args) -> list[tuple]:
        if host.endswith(STUCK):
            release.wait(60)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    return resolve


def test_look_ups_that_never_end_do_not_hold_up_other_hosts():
    release = threading.Event()
    client = Outbound(OutboundPolicy(allow_loopback=True, total_seconds=30), resolver=stalling_resolver(release))
    try:
        with peers.serve(peers.json_answer('{"keys": []}')) as agency:
            # Twice as many stuck names as the old pool had threads: eight hung, eight queued.
            for number in range(16):
                with pytest.raises(OutboundError) as caught:
                    client.get(f"http://logo{number}{STUCK}:{agency.port}/logo.png", total_seconds=0.2)
                assert caught.value.reason == "timeout"
            # Another agency's jwks_uri, with the whole budget: answered, not queued behind them
            # (30 s: generous on a loaded machine, still half the time the stuck look-ups hang).
            answer = client.get_json(f"http://jwks.agency.test:{agency.port}/jwks", total_seconds=30)
        assert answer == {"keys": []}
    finally:
        release.set()
