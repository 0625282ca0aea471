"""A byte range over the whole file, and in /Contents the CMS of another document (round 5).

The signature is a hash failure (TOTAL-FAILED), but its report went on to say
"covers_whole_document": true and, of what followed it, "The signature covers the whole file:
nothing was changed after signing", beside "The document does not match what was signed". A
signature that signs other bytes covers nothing of this file: what followed it was not
examined, as for any signature that cannot be validated.
"""

from __future__ import annotations

from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit


def _with_the_cms_of(pdf: bytes, other: bytes) -> bytes:
    return kit.put_cms(pdf, kit.cms_of(other))


def test_it_claims_no_coverage(verifier, signed, signed_with_field):
    report = verifier.verify(_with_the_cms_of(signed, signed_with_field))
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("TOTAL-FAILED", "HASH_FAILURE")
    signature = report.signatures[0]
    assert signature.reason == "hash_failure"
    assert signature.covers_whole_document is False
    assert signature.modifications.level == "not_examined"


def test_the_api_and_the_page_say_so(client, verifier, signed, signed_with_field):
    forged = _with_the_cms_of(signed, signed_with_field)
    body = kit.over_http(client, verifier, forged)
    assert (body["status"], body["verdict"]) == (200, "not_valid")
    signature = body["signatures"][0]
    assert signature["covers_whole_document"] is False
    assert signature["modifications"]["explanation"] == \
        text("verify.modifications.not_examined", "en")
    kind, _words, page = kit.over_the_page(client, verifier, forged, "es")
    assert kind == "not_valid"
    assert text("verify.modifications.none", "es") not in page
