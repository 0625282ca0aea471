"""A valid signature on a document this service has no record of is not "not withdrawn".

The verdict "valid" said "... and the agency that issued it has not withdrawn it" for every
file whose signatures pass, also for one the register does not hold (signed under another
trusted root, or a withdrawn document the look-up could not find): a claim nothing checked.
Such a file keeps the title and the verdict, and is told that whether whoever issued it
withdrew it cannot be known here (pdfatk12).
"""

from __future__ import annotations

from signing.verify.texts import text
from signing.verify.verdict import Verdict, advice
from tests.signing.verify import attack_kit as kit
from tests.signing.verify.test_attack_verdict_wording import (
    with_empty_invisible_field,
    with_validation_data,
)

NOT_WITHDRAWN = {"en": "has not withdrawn", "es": "no lo ha retirado"}


def test_a_valid_file_the_register_does_not_hold_claims_no_withdrawal_check(client, verifier,
                                                                             signed):
    body = kit.over_http(client, verifier, signed)
    assert (body["verdict"], body["document"], body["citizen_signed"]) == ("valid", None, None)
    assert body["advice"]["title"] == text("verify.verdict.valid.title", "en")
    assert NOT_WITHDRAWN["en"] not in body["advice"]["means"]
    assert body["advice"]["means"] == text("verify.verdict.unregistered.valid.means", "en")


def test_with_data_added_too(client, verifier, signed, pki):
    body = kit.over_http(client, verifier, with_validation_data(signed, pki))
    assert body["verdict"] == "valid" and body["unsigned_additions"]
    # validation data alone is said as such (citizen9); other data added, as added
    assert body["advice"]["title"] == text("verify.verdict.valid_validation_data.title", "en")
    assert body["advice"]["means"] == text(
        "verify.verdict.unregistered.valid_validation_data.means", "en")
    body = kit.over_http(client, verifier, with_empty_invisible_field(signed))
    assert body["verdict"] == "valid" and body["unsigned_additions"]
    assert body["advice"]["title"] == text("verify.verdict.valid_added.title", "en")
    assert body["advice"]["means"] == text("verify.verdict.unregistered.valid_added.means", "en")


def test_the_page_says_so_in_both_languages(client, verifier, signed):
    for language in ("en", "es"):
        kind, _words, page = kit.over_the_page(client, verifier, signed, language)
        assert kind == "valid"
        assert text("verify.verdict.unregistered.valid.means", language) in page
        assert NOT_WITHDRAWN[language] not in page


def test_a_document_of_the_register_keeps_its_words(pki_app, issued):
    _, pdf = issued
    body = pki_app.test_client().post("/api/verify?lang=en", data=pdf,
                                      headers={"Content-Type": "application/pdf"}).get_json()
    assert body["verdict"] == "valid" and body["document"] is not None
    assert body["advice"] == advice(Verdict.VALID, "en")


def test_other_verdicts_keep_their_words():
    for verdict in Verdict:
        if not verdict.good:
            for kind in ("unregistered", "unregistered_added"):
                assert advice(verdict, "es", kind=kind) == advice(verdict, "es")
