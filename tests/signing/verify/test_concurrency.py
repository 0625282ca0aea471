"""At most `[verify] max_concurrent` verifications run at once in a process, abandoned ones
included (`budget.Slots`). Attack: uploads that each use their whole time budget, from many
addresses (the rate limit is per address): every abandoned worker kept its core while new
ones started, so a few requests a second held the machine."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import replace

import pytest

from signing import pdf_parsing
from signing.verify import validation
from signing.verify.errors import VerifierBusy
from signing.verify.service import get_verification
from signing.verify.validation import Verifier


def test_an_abandoned_verification_holds_its_slot_until_it_stops(verifier, signed, monkeypatch):
    release = threading.Event()
    real = validation._validate_all

    async def stuck(*args):
        release.wait(20)  # work that goes on after the verifier stopped waiting for it
        return await real(*args)

    monkeypatch.setattr(validation, "_validate_all", stuck)
    monkeypatch.setattr(pdf_parsing, "BUSY_WAIT_SECONDS", 0.2)
    one_at_a_time = Verifier(trust=verifier.trust, evidence=verifier.evidence,
                             clock=verifier.clock, max_bytes=verifier.max_bytes,
                             limits=replace(verifier.limits, seconds=0.5, concurrent=1))
    before = set(threading.enumerate())
    first = one_at_a_time.verify(signed)
    assert first.conclusion.sub_indication == "TIME_BUDGET_EXCEEDED"
    with pytest.raises(VerifierBusy) as busy:
        one_at_a_time.verify(signed)
    assert (busy.value.status, busy.value.error) == (503, "temporarily_unavailable")
    release.set()
    for worker in set(threading.enumerate()) - before:
        if worker.name == "verification":
            worker.join(20)
    # The slot was given back. This verification must finish, so its budget is a cap (0.5 s is
    # for the abandoned one above; a loaded machine can take longer than that to verify).
    one_at_a_time.limits = replace(one_at_a_time.limits, seconds=600)
    assert one_at_a_time.verify(signed).conclusion.passed


def test_busy_is_503_temporarily_unavailable_with_retry_after(client, monkeypatch):
    """Its code was `busy`, where every other API's 503 says RFC 6749's `temporarily_unavailable`."""
    def busy():
        raise VerifierBusy("Too many verifications are running; try again in a few seconds.")

    monkeypatch.setattr(get_verification(client.application).verifier.slots, "take", busy)
    from tests.signing.verify import samples

    response = client.post("/api/verify", data=samples.blank_pdf(),
                           headers={"Content-Type": "application/pdf"})
    assert (response.status_code, response.get_json()["error"]) == (503, "temporarily_unavailable")
    assert "try again" in response.get_json()["error_description"]
    assert response.headers["Retry-After"] == "10"
    index = client.get("/verify?lang=en")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', index.data).group(1).decode()
    page = client.post("/verify?lang=en", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(samples.blank_pdf()), "a.pdf")})
    assert page.status_code == 503 and page.headers["Retry-After"] == "10"
    assert b"Espere unos segundos" in page.data  # the default language
