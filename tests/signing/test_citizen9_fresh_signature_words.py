"""A PDF fresh from a citizen's signature (PAdES B-LT: the signature, then the validation data
in a revision of its own, EN 319 142-1, 5.4.2) is reported as valid with its validation data
added after signing, a permitted addition, never as carrying "data added after signing" that
no signature covers (citizen8 saw it on /verify in Chromium)."""

from __future__ import annotations

from signing.citizen_signature import sign
from signing.verify.texts import text
from signing.verify.verdict import Verdict, advice
from tests.signing.test_citizen_signature import _verify, approval_for
from tests.signing.verify.samples import blank_pdf


def test_citizen9_a_fresh_citizen_signature_is_not_said_to_carry_added_data(
        documents, citizen, pki_app):
    """Regression: "Firma válida de una persona, con datos añadidos después de la firma"."""
    pdf = blank_pdf()
    signed = sign(documents, citizen=citizen, pdf=pdf, approval=approval_for(pdf),
                  file_name="contrato.pdf")
    report = _verify(pki_app, documents.store.read(signed.sha256))
    assert report.conclusion.passed and report.verdict is Verdict.VALID, report.signatures
    assert report.unsigned_additions and report.validation_data_only
    assert report.advice_kind == "citizen_signed_validation_data"
    for language in ("es", "en"):
        assert report.summary(language) == text("verify.summary.passed_validation_data", language)
        words = advice(report.verdict, language, kind=report.advice_kind)
        assert words["title"] == text(
            "verify.verdict.citizen_signed.valid_validation_data.title", language)
        assert "añadidos después" not in words["title"] and "added after" not in words["title"]
    body = report.as_json("es")
    assert body["unsigned_additions"] is True and body["validation_data_only"] is True
    assert "datos de validación" in body["advice"]["means"] and "permitido" in body["summary"]


def test_citizen9_the_words_of_each_kind_with_validation_data():
    for kind, title in (("validation_data", "verify.verdict.valid_validation_data.title"),
                        ("unregistered_validation_data",
                         "verify.verdict.valid_validation_data.title"),
                        ("citizen_signed_validation_data",
                         "verify.verdict.citizen_signed.valid_validation_data.title")):
        assert advice(Verdict.VALID, "en", kind=kind)["title"] == text(title, "en")
    assert advice(Verdict.VALID, "en", kind="unregistered_validation_data")["means"] == text(
        "verify.verdict.unregistered.valid_validation_data.means", "en")
    assert advice(Verdict.VALID, "en", kind="citizen_signed_added")["title"] == text(
        "verify.verdict.citizen_signed.valid_added.title", "en")
    for verdict in Verdict:
        if not verdict.good:
            assert advice(verdict, "en", kind="validation_data") == advice(verdict, "en")
