"""Ceremony state: single use, purpose, expiry."""

from __future__ import annotations

import pytest

from idp.webauthn import challenges
from idp.webauthn.errors import WebAuthnError
from infra.store import MemoryStore


def test_a_challenge_is_taken_once():
    store = MemoryStore()
    issued = challenges.issue(store, purpose="add", ttl=300, now=1000.0, citizen_id="c",
                              user_handle=b"\x01" * 32)
    assert len(issued.challenge) == 32
    taken = challenges.take(store, challenge=issued.challenge, purposes={"add"}, now=1001.0)
    assert taken == issued
    with pytest.raises(WebAuthnError) as caught:
        challenges.take(store, challenge=issued.challenge, purposes={"add"}, now=1001.0)
    assert caught.value.error == "invalid_challenge"


def test_purpose_must_match():
    store = MemoryStore()
    issued = challenges.issue(store, purpose="sign-in", ttl=300, now=1000.0)
    with pytest.raises(WebAuthnError) as caught:
        challenges.take(store, challenge=issued.challenge, purposes={"enrol", "add"}, now=1000.0)
    assert caught.value.error == "invalid_challenge"


def test_expired_challenge_says_so():
    store = MemoryStore()
    issued = challenges.issue(store, purpose="sign-in", ttl=300, now=1000.0)
    with pytest.raises(WebAuthnError) as caught:
        challenges.take(store, challenge=issued.challenge, purposes={"sign-in"}, now=1300.5)
    assert caught.value.error == "challenge_expired"


def test_wrong_length_is_refused():
    with pytest.raises(WebAuthnError) as caught:
        challenges.take(MemoryStore(), challenge=b"x" * 16, purposes={"sign-in"}, now=0.0)
    assert caught.value.error == "invalid_challenge"
