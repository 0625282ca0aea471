"""What a passkey's deletion (a lost device) or its block (a clone signal) leaves for the codes in
flight (`idp.oidc.codes.settled`): its own reason, so the agency is refused with an honest
sentence, not told the citizen withdrew its access (they did not)."""

from __future__ import annotations

from idp.oidc import codes
from infra.store import MemoryStore
from tests.idp.oidc.test_units import _grant


def test_a_passkeys_mark_settles_a_code_with_its_own_reason():
    for reason, settled in (("passkey_deleted", codes.PASSKEY_DELETED), ("passkey_suspect", codes.PASSKEY_SUSPECT)):
        store = MemoryStore()
        codes.mark_withdrawal(store, citizen_id="z", client_id=None, at=2.0, ttl=60, reason=reason)
        assert codes.settled(store, _grant()) == settled
        revoked_for, sentence = codes.refusal(settled)
        assert revoked_for == reason  # the grant's revocation reason, as the passkey's own grants
        assert "withdrew" not in sentence and "passkey" in sentence and "sign the citizen in again" in sentence


def test_the_citizens_withdrawal_still_reads_as_theirs():
    store = MemoryStore()
    codes.mark_withdrawal(store, citizen_id="z", client_id=None, at=2.0, ttl=60, reason="passkey_deleted")
    codes.mark_withdrawal(store, citizen_id="z", client_id="c", at=3.0, ttl=60)  # and the citizen's
    assert codes.settled(store, _grant()) == codes.WITHDRAWN
