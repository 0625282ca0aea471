"""Levels: proofing x authenticator -> level, and the RFC 8176 amr values."""

from __future__ import annotations

import itertools

import pytest

from idp.assurance import amr, levels


@pytest.mark.parametrize(("uv", "be", "trusted", "expected"), [
    (True, False, True, "high"),
    (True, True, True, "substantial"),   # a synced passkey never yields high
    (True, False, False, "substantial"),
    (True, True, False, "substantial"),
    (False, False, True, "low"),         # no user verification: one factor
])
def test_authenticator_level(uv, be, trusted, expected):
    assert levels.authenticator_level(user_verified=uv, backup_eligible=be,
                                      attestation_trusted=trusted) == expected


def test_sign_in_level_is_the_lower_of_both_facts_in_every_combination():
    for proofing, authenticator in itertools.product(levels.LEVELS, repeat=2):
        expected = levels.LEVELS[min(levels.rank(proofing), levels.rank(authenticator))]
        assert levels.sign_in_level(proofing=proofing, authenticator=authenticator) == expected


def test_rank_refuses_unknown_levels():
    with pytest.raises(ValueError, match="unknown level of assurance 'medium'; expected one of "
                                         "low, substantial, high"):
        levels.rank("medium")
    assert levels.at_least("high", "substantial") and not levels.at_least("low", "substantial")


def test_as_level_reads_a_stored_level_and_refuses_anything_else():
    assert [levels.as_level(stored) for stored in ("low", "substantial", "high")] == list(levels.LEVELS)
    with pytest.raises(ValueError, match="unknown level of assurance 'High'; expected one of "
                                         "low, substantial, high"):
        levels.as_level("High")


def test_amr_values():
    assert amr.methods(backup_eligible=False, user_verified=True) == ("hwk", "user", "mfa")
    assert amr.methods(backup_eligible=True, user_verified=True) == ("swk", "user", "mfa")
    assert amr.methods(backup_eligible=False, user_verified=True, uv_method="fpt") == \
        ("hwk", "user", "fpt", "mfa")
    assert amr.methods(backup_eligible=False, user_verified=False, uv_method="pin") == ("hwk", "user")


def test_single_uv_method_only_when_the_metadata_names_one():
    assert amr.single_uv_method([["fingerprint_internal"]]) == "fpt"
    assert amr.single_uv_method([["passcode_internal", "presence_internal"]]) == "pin"
    assert amr.single_uv_method([["fingerprint_internal"], ["passcode_internal"]]) is None
    assert amr.single_uv_method([["pattern_internal"]]) is None
    assert amr.single_uv_method([]) is None


def test_a_wallet_sign_in_is_pop_with_user_verification_and_no_passkey_reports_it():
    from idp.wallet.sign_in import AMR

    assert amr.wallet(AMR)
    assert not amr.wallet(("pop", "hwk", "user"))  # no user verification
    for backup_eligible in (False, True):
        for verified in (False, True):
            assert not amr.wallet(amr.methods(backup_eligible=backup_eligible, user_verified=verified,
                                              uv_method="pin"))
