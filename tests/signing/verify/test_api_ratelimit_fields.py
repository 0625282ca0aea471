"""The verification API told a client nothing of its limits until it was refused: its answers
now carry RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers) from the
limiter's own counts (uploads, look-ups, unknown codes); a 429 keeps Retry-After. The pages
carry none."""

from __future__ import annotations

from signing.verify.service import get_verification
from tests.idp.documents.test_ratelimit_fields import fields
from tests.signing.verify import samples

UNKNOWN = "7KQ4-M2XH-9PRT-WC3N-B8DA"


def test_uploads_say_what_is_left_of_the_address_limit(client):
    settings = get_verification(client.application).settings
    answers = [client.post("/api/verify", data=samples.blank_pdf(),
                           headers={"Content-Type": "application/pdf"}) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    (policy, first), (_, second) = fields(answers[0]), fields(answers[1])
    assert policy == {"verify-upload": (settings.attempts, settings.window_seconds)}
    assert second["verify-upload"] == first["verify-upload"] - 1


def test_look_ups_say_what_is_left_and_unknown_codes_count_apart(client):
    settings = get_verification(client.application).settings
    unknown = client.get(f"/api/verify/{UNKNOWN}")
    assert unknown.status_code == 404
    policy, left = fields(unknown)
    assert policy == {"verify-code": (settings.lookups, settings.window_seconds),
                      "verify-miss": (settings.failed_lookups, settings.window_seconds)}
    assert left["verify-miss"] == settings.failed_lookups - 1
    answers = [client.get(f"/api/verify/{UNKNOWN}") for _ in range(settings.failed_lookups)]
    refused = answers[-1]
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert fields(refused)[1]["verify-miss"] == 0


def test_the_pages_carry_no_ratelimit_fields(client):
    page = client.get(f"/verify/{UNKNOWN}")
    assert "RateLimit" not in page.headers and "RateLimit-Policy" not in page.headers
