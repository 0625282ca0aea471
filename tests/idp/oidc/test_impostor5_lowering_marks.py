"""What a lowering of the account's identity proofing leaves for the codes in flight
(`idp.oidc.codes.settled`): its mark carries the level left, so a code issued above it before
the lowering is refused, saying why, and one issued at or below it stands (the grant it becomes
is one the lowering keeps: `idp.assurance.lowered_grants`). A mark without a level (the
citizen's withdrawal, a mark left before marks carried one) still refuses every code before it."""

from __future__ import annotations

from dataclasses import replace

from idp.oidc import codes
from infra.store import MemoryStore
from tests.idp.oidc.test_units import _grant

LEVELS = {"urn:low": "low", "urn:substantial": "substantial", "urn:high": "high"}


def test_a_lowering_refuses_the_codes_above_the_level_it_left_only():
    store = MemoryStore()
    codes.mark_withdrawal(store, citizen_id="z", client_id=None, at=2.0, ttl=60, reason="wallet_pid_revoked",
                          level="substantial")
    assert codes.settled(store, replace(_grant(), acr="urn:high"), LEVELS) == codes.LOWERED_PID_REVOKED
    assert codes.settled(store, replace(_grant(), acr="urn:substantial"), LEVELS) is None
    assert codes.settled(store, _grant(), LEVELS) is None  # urn:low
    # An acr the provider does not name, or no levels to read it with: refused.
    assert codes.settled(store, replace(_grant(), acr="urn:other"), LEVELS) == codes.LOWERED_PID_REVOKED
    assert codes.settled(store, _grant()) == codes.LOWERED_PID_REVOKED


def test_each_lowering_says_why():
    for reason, settled in (("recovery_code", codes.LOWERED), ("reported_passkey", codes.LOWERED_REPORTED),
                            ("wallet_pid_expired", codes.LOWERED_PID_EXPIRED)):
        store = MemoryStore()
        codes.mark_withdrawal(store, citizen_id="z", client_id=None, at=2.0, ttl=60, reason=reason, level="low")
        assert codes.settled(store, replace(_grant(), acr="urn:substantial"), LEVELS) == settled
        assert codes.refusal(settled)[0] == reason


def test_a_mark_without_a_level_refuses_every_code_issued_before_it():
    store = MemoryStore()
    codes.mark_withdrawal(store, citizen_id="z", client_id=None, at=2.0, ttl=60, reason="recovery_code")
    assert codes.settled(store, _grant(), LEVELS) == codes.LOWERED
    codes.mark_withdrawal(store, citizen_id="z", client_id="c", at=3.0, ttl=60)  # the citizen's, for this agency
    assert codes.settled(store, _grant(), LEVELS) == codes.WITHDRAWN
