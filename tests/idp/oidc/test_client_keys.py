"""jwks_uri key sets (`idp.oidc.client_keys.RemoteKeySets`): per-URI single flight, stale keys
while a refresh runs, a failing URI tried again only after a pause, no lock shared by URIs."""

from __future__ import annotations

import threading
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import ECKey

from idp.oidc.client_keys import MAX_STALE_SECONDS, REFETCH_SECONDS, RETRY_SECONDS, UNREACHABLE, RemoteKeySets
from idp.oidc.errors import InvalidClient
from infra.outbound import OutboundError


def key_set(*kids: str) -> dict:
    return {"keys": [dict(ECKey.import_key(ec.generate_private_key(ec.SECP256R1())).as_dict(private=False),
                          kid=kid) for kid in kids]}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Source:
    """A jwks_uri whose answers the test controls; `gate` holds a fetch until set."""

    def __init__(self, *documents: dict) -> None:
        self.documents = list(documents)
        self.calls: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def __call__(self, uri: str) -> dict:
        self.calls.append(uri)
        self.entered.set()
        self.gate.wait(60)  # a cap: the test opens it
        document = self.documents.pop(0) if len(self.documents) > 1 else self.documents[0]
        if isinstance(document, Exception):
            raise document
        return document


def kids(keys) -> list[str]:
    return sorted(k.kid for k in keys)


def test_concurrent_first_requests_share_one_fetch():
    source = Source(key_set("k1"))
    source.gate.clear()
    sets = RemoteKeySets(ttl=300, fetch=source, budget=5)
    results = []
    threads = [threading.Thread(target=lambda: results.append(kids(sets.keys("https://a/jwks", kid="k1"))))
               for _ in range(5)]
    for thread in threads:
        thread.start()
    assert source.entered.wait(60)
    source.gate.set()
    for thread in threads:
        thread.join(60)
    assert results == [["k1"]] * 5 and source.calls == ["https://a/jwks"]


def test_a_slow_uri_holds_no_lock_over_another_uri():
    slow = Source(key_set("s"))
    slow.gate.clear()
    fast = Source(key_set("f"))
    sets = RemoteKeySets(ttl=300, fetch=lambda uri: (slow if "slow" in uri else fast)(uri), budget=5)
    waiting = threading.Thread(target=lambda: sets.keys("https://slow/jwks", kid="s"))
    waiting.start()
    assert slow.entered.wait(60)
    assert kids(sets.keys("https://fast/jwks", kid="f")) == ["f"]  # while the slow fetch is in flight
    assert waiting.is_alive()
    slow.gate.set()
    waiting.join(60)


def test_stale_keys_are_served_while_a_background_refresh_runs():
    clock = Clock()
    source = Source(key_set("old"), key_set("new"))
    sets = RemoteKeySets(ttl=300, fetch=source, budget=5, clock=clock)
    assert kids(sets.keys("https://a/jwks", kid="old")) == ["old"]
    clock.now += 301
    source.gate.clear()
    source.entered.clear()
    assert kids(sets.keys("https://a/jwks", kid="old")) == ["old"]  # at once, not after the fetch
    assert source.entered.wait(60)
    assert kids(sets.keys("https://a/jwks", kid="old")) == ["old"]  # one refresh in flight, not two
    source.gate.set()
    deadline = time.monotonic() + 60  # a cap: 2 s was too little for the refresh on a loaded machine
    while kids(sets.keys("https://a/jwks", kid=None)) != ["new"] and time.monotonic() < deadline:
        threading.Event().wait(0.02)
    assert kids(sets.keys("https://a/jwks", kid=None)) == ["new"] and len(source.calls) == 2


def test_an_unknown_kid_fetches_again_at_most_once_a_minute():
    clock = Clock()
    source = Source(key_set("k1"), key_set("k1", "k2"))
    sets = RemoteKeySets(ttl=300, fetch=source, budget=5, clock=clock)
    sets.keys("https://a/jwks", kid="k1")
    assert kids(sets.keys("https://a/jwks", kid="k2")) == ["k1"]  # fetched moments ago: not again
    clock.now += REFETCH_SECONDS
    assert kids(sets.keys("https://a/jwks", kid="k2")) == ["k1", "k2"]
    assert len(source.calls) == 2


def test_a_failing_uri_is_tried_again_only_after_a_pause_and_says_nothing_of_why():
    clock = Clock()
    source = Source(OutboundError("connect", "Connection refused"))
    sets = RemoteKeySets(ttl=300, fetch=source, budget=5, clock=clock)
    for _ in range(3):
        with pytest.raises(InvalidClient) as caught:
            sets.keys("https://a/jwks", kid=None)
        assert caught.value.description == UNREACHABLE
    assert len(source.calls) == 1
    clock.now += RETRY_SECONDS
    with pytest.raises(InvalidClient):
        sets.keys("https://a/jwks", kid=None)
    assert len(source.calls) == 2


def test_known_keys_outlive_a_failing_uri_for_a_bounded_time():
    clock = Clock()
    source = Source(key_set("k1"), OutboundError("timeout", "slow"))
    sets = RemoteKeySets(ttl=300, fetch=source, budget=5, clock=clock)
    sets.keys("https://a/jwks", kid="k1")
    clock.now += 301
    assert kids(sets.keys("https://a/jwks", kid="k1")) == ["k1"]
    clock.now += MAX_STALE_SECONDS
    with pytest.raises(InvalidClient):
        sets.keys("https://a/jwks", kid="k1")


def _key(**members) -> object:
    from joserfc.jwk import KeySet

    jwk = dict(key_set("k1")["keys"][0], **members)
    return KeySet.import_key_set({"keys": [jwk]}).keys[0]


@pytest.mark.parametrize("members", [{"use": "enc"}, {"alg": "ES384"}, {"key_ops": ["encrypt"]},
                                     {"key_ops": ["sign"]}])
def test_a_key_not_meant_for_this_signature_verifies_nothing_even_named_by_kid(members):
    """RFC 7517 sections 4.2-4.4, RFC 8725 section 3.1: a client's encryption key, or a key bound to
    another algorithm, does not verify its assertions or request objects (the kid path skipped
    `use`: an `enc` key named by kid was a candidate)."""
    from idp.oidc.client_keys import candidates

    key = _key(**members)
    assert candidates((key,), kid="k1", alg="ES256") == []
    assert candidates((key,), kid=None, alg="ES256") == []


def test_a_signing_key_is_a_candidate_with_or_without_its_kid():
    from idp.oidc.client_keys import candidates

    plain, named = _key(), _key(use="sig", alg="ES256", key_ops=["verify"])
    for key in (plain, named):
        assert candidates((key,), kid="k1", alg="ES256") == [key]
        assert candidates((key,), kid=None, alg="ES256") == [key]
    assert candidates((plain,), kid="other", alg="ES256") == []
