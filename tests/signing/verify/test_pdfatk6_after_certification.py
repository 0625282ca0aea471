"""A signature added after a certification that allows no changes (pdfatk6, open point 2).

A certification signature with /DocMDP /P 1 forbids every change after it, a later approval
signature included (ISO 32000-1, 12.8.2.2; ISO 32000-2, 12.8.2.2.2); P 2 allows form filling
and signatures, not annotations. An invisible approval signature after P 1 was refused (not
valid), but the certification's words said "the document's content was changed (pages, text,
fonts or other objects)" and "what you see is not what was signed": neither is true, and
neither says why it is refused. It is a change the certification forbids, named as such
(`beyond_certification`, with the fields concerned). A widget drawn on the page after it stays
"other" (pyHanko refuses the page's new annotation outright).
"""

from __future__ import annotations

import pytest

from signing.verify.texts import text
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import test_attack_certification as attacks
from tests.signing.verify.test_attack_certification import empty_signature_field, sneaky_signature

certified = attacks.certified  # the certified documents (P 1, 2, 3), as a fixture here too


def _certification(report):
    return next(s for s in report.signatures if s.field == "Certificacion")


def test_an_approval_after_no_changes_breaks_the_certification(verifier, pki, certified):
    report = verifier.verify(sneaky_signature(pki, box=None)(certified[1]))
    assert report.verdict.value == "not_valid"
    certification = _certification(report)
    assert (certification.conclusion.indication.value,
            certification.conclusion.sub_indication) == ("TOTAL-FAILED", "FORMAT_FAILURE")
    assert (certification.reason, certification.modifications.level) == (
        "beyond_certification", "beyond_certification")
    assert certification.modifications.fields == ("Visto",)
    words = certification.modifications.explanation("en")
    assert "certif" in words and "«Visto»" in words


@pytest.mark.parametrize("attack", ["visible_signature", "empty_signature_field"])
def test_what_is_drawn_on_the_page_stays_a_change_of_content(verifier, pki, certified, attack):
    """pyHanko refuses a widget added to a page after a certification outright: still
    "other" (the widget draws on the page)."""
    forge = sneaky_signature(pki) if attack == "visible_signature" else empty_signature_field
    certification = _certification(verifier.verify(forge(certified[1])))
    assert (certification.reason, certification.modifications.level) == ("modified", "other")


def test_what_the_certification_allows_is_still_allowed(verifier, pki, certified):
    report = verifier.verify(sneaky_signature(pki, box=None)(certified[2]))
    assert report.conclusion.passed
    assert _certification(report).modifications.level == "signatures"


def test_the_api_and_the_page_say_so(client, verifier, pki, certified):
    pdf = sneaky_signature(pki, box=None)(certified[1])
    body = kit.assert_refused_over_http(client, verifier, pdf, reason="beyond_certification",
                                        level="beyond_certification")
    assert text("verify.modifications.other", "en") not in [
        s["modifications"]["explanation"] for s in body["signatures"]]
    for language in ("en", "es"):
        kind, _words, page = kit.over_the_page(client, verifier, pdf, language)
        assert kind == "not_valid"
        assert text("verify.reason.beyond_certification", language) in page
