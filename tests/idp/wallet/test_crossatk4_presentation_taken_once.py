"""A verified PID waiting for its browser is used once (crossatk4, two tabs): `take_of` read it
and deleted it in two steps, so two requests of the same browser (two tabs finishing the wallet
sign-in, or the page that showed the QR code and the wallet's redirect at once) that both read
it before either deleted it both got it: two sessions and two `wallet.signed_in` entries in the
citizen's log, or the account's proofing applied twice. Now only one gets it."""

from __future__ import annotations

import threading

from idp.wallet import enrolment
from idp.wallet.vp_response import ProvenIdentity
from infra.store.memory import MemoryStore

STATE = "s" * 32
BINDING = "b" * 43


class _BothRead(MemoryStore):
    """Every `get` waits until two requests have made theirs (both read before either deletes)."""

    def __init__(self) -> None:
        super().__init__()
        self.barrier = threading.Barrier(2, timeout=5)

    def get(self, key: str) -> bytes | None:
        found = super().get(key)
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            pass  # the other request never read (it took it first): go on
        return found


def test_two_requests_of_the_same_browser_take_the_pid_once():
    store = _BothRead()
    requester = enrolment.owner(BINDING)
    identity = ProvenIdentity(purpose="sign_in", citizen_id=requester, family_name="López",
                              given_name="Ana", birthdate="1990-05-17", national_id="012345678",
                              issuing_country="SV", issuer="https://pid.example")
    enrolment.keep(store, state=STATE, identity=identity, status="ready", ttl=60)

    taken: list[ProvenIdentity | None] = []

    def finish() -> None:
        taken.append(enrolment.take(store, state=STATE, binding=BINDING))

    tabs = [threading.Thread(target=finish) for _ in range(2)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join(timeout=10)
    assert not any(tab.is_alive() for tab in tabs)
    assert sorted(t is not None for t in taken) == [False, True], taken
