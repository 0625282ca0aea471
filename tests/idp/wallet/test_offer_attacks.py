"""An outside attacker at the pre-authorized code grant (OpenID4VCI 1.0 sections 3.5, 4.1.1,
6.1): wrong transaction codes must not keep an offer alive, and a used or withdrawn code's
offer (which carries the code) is no longer served."""

from __future__ import annotations

import time

import pytest

from idp.wallet import offer
from idp.wallet.errors import InvalidGrant
from infra.store.memory import MemoryStore


def _offer(store: MemoryStore, *, ttl: int = 60, attempts: int = 5) -> offer.Offer:
    return offer.create(store, credential_issuer="https://cedula.test",
                        authorization_server="https://cedula.test", document_id="d1",
                        citizen_id="c1", configuration_id="birth", ttl=ttl, tx_code_length=6,
                        tx_code_attempts=attempts)


def _wrong(made: offer.Offer) -> str:
    return "000000" if made.tx_code != "000000" else "111111"


@pytest.fixture
def clock(monkeypatch):
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def test_wrong_tx_codes_do_not_lengthen_the_life_of_a_pre_authorized_code(clock):
    store = MemoryStore()
    made = _offer(store, ttl=60)
    clock[0] += 50
    with pytest.raises(InvalidGrant):
        offer.redeem(store, code=made.code, tx_code=_wrong(made), ttl=60, replay_ttl=60)
    clock[0] += 20  # 70 s after the offer: past its 60 s
    with pytest.raises(InvalidGrant, match="expired"):
        offer.redeem(store, code=made.code, tx_code=made.tx_code, ttl=60, replay_ttl=60)


def test_a_redeemed_code_is_no_longer_served_in_its_offer():
    store = MemoryStore()
    made = _offer(store)
    assert offer.body(store, made.id) is not None
    offer.redeem(store, code=made.code, tx_code=made.tx_code, ttl=60, replay_ttl=60)
    assert offer.body(store, made.id) is None
    with pytest.raises(InvalidGrant):
        offer.redeem(store, code=made.code, tx_code=made.tx_code, ttl=60, replay_ttl=60)


def test_an_offer_withdrawn_after_too_many_wrong_tx_codes_is_no_longer_served():
    store = MemoryStore()
    made = _offer(store, attempts=2)
    for _ in range(2):
        with pytest.raises(InvalidGrant):
            offer.redeem(store, code=made.code, tx_code=_wrong(made), ttl=60, replay_ttl=60)
    assert offer.body(store, made.id) is None
    with pytest.raises(InvalidGrant):
        offer.redeem(store, code=made.code, tx_code=made.tx_code, ttl=60, replay_ttl=60)


def test_one_offers_tx_code_does_not_redeem_another_offers_code():
    store = MemoryStore()
    first = _offer(store)
    # Another offer whose random transaction code differs (equal ones made this test skip by
    # chance, proving nothing that run).
    second = next(made for made in (_offer(store) for _ in range(100)) if made.tx_code != first.tx_code)
    with pytest.raises(InvalidGrant, match="tx_code"):
        offer.redeem(store, code=first.code, tx_code=second.tx_code, ttl=60, replay_ttl=60)
