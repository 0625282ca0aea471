"""The load test's users (Locust): the realistic mix of tests/cluster/journeys.py.

Run by `make loadtest` (bench/loadtest.py starts the topology and Locust headless, bounded in
time, loopback only). Each Locust user is one citizen and one agency back end:

- weight 3: a passkey sign-in (software authenticator), then authorize + token + userinfo with
  remembered consent, and a refresh;
- weight 1: the agency issues a document (B-B seal, Idempotency-Key) for that citizen;
- weight 2: a verifier looks a document up by its code.

`CEDULA_LOADTEST_URL` (HAProxy or one node, 127.0.0.1 only), `CEDULA_LOADTEST_ISSUER`,
`CEDULA_LOADTEST_CLIENT_ID` and `CEDULA_LOADTEST_CLIENT_SECRET` say where and as whom.
"""

from __future__ import annotations

import itertools
import os
import time
from types import SimpleNamespace

from locust import User, between, events, task

from tests.cluster.journeys import AgencyClient, Answer, Citizen, JourneyError, Ledger, Provider, verify

URL = os.environ.get("CEDULA_LOADTEST_URL", "http://127.0.0.1:8080")
ISSUER = os.environ.get("CEDULA_LOADTEST_ISSUER", "http://localhost:8080")
AGENCY = SimpleNamespace(client_id=os.environ.get("CEDULA_LOADTEST_CLIENT_ID", "registro-civil"),
                         secret=os.environ.get("CEDULA_LOADTEST_CLIENT_SECRET", ""))
_numbers = itertools.count(50_000_000 + os.getpid() % 1000 * 10_000)


class _ReportingLedger(Ledger):
    """Every request of a journey reported to Locust (name = the step) as it is answered."""

    def __init__(self) -> None:
        super().__init__()
        self._started = time.perf_counter()

    def add(self, answer: Answer) -> None:
        elapsed = (time.perf_counter() - self._started) * 1000
        self._started = time.perf_counter()
        error = None if answer.status is not None and answer.status < 400 else \
            JourneyError(answer.step, None, f"status {answer.status}")
        events.request.fire(request_type="HTTP", name=answer.step, response_time=elapsed,
                            response_length=0, exception=error, context={"node": answer.node})

    def mark(self) -> None:
        self._started = time.perf_counter()


class CitizenAndAgency(User):
    wait_time = between(0.1, 0.5)

    def on_start(self) -> None:
        self.ledger = _ReportingLedger()
        self.provider = Provider(URL, ISSUER, self.ledger)
        self.citizen = Citizen(self.provider, next(_numbers))
        self.agency = AgencyClient(self.provider, AGENCY)
        self.codes: list[str] = []
        self._journey(self.citizen.enrol)
        self._journey(lambda: self.citizen.sign_in_to_agency(AGENCY))

    def _journey(self, step) -> None:
        self.ledger.mark()
        try:
            step()
        except JourneyError:
            pass  # reported by the ledger as a failed request

    @task(3)
    def sign_in_and_use_an_agency(self) -> None:
        def journey() -> None:
            self.citizen.sign_in()
            tokens = self.citizen.sign_in_to_agency(AGENCY)
            self.citizen.refresh(AGENCY, tokens["refresh_token"])

        self._journey(journey)

    @task(1)
    def issue_a_document(self) -> None:
        def journey() -> None:
            if self.citizen.sub:
                self.codes.append(self.agency.issue(self.citizen.sub)["csv"])

        self._journey(journey)

    @task(2)
    def verify_a_document(self) -> None:
        if self.codes:
            self._journey(lambda: verify(self.provider, self.codes[-1]))
