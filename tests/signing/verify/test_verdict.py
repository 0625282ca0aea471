"""The one verdict a person reads first (`signing.verify.verdict`): its order of precedence."""

from __future__ import annotations

import pytest

from signing.verify.verdict import Verdict, advice, decide


@pytest.mark.parametrize(("indication", "status", "expected"), [
    ("TOTAL-PASSED", None, Verdict.VALID),
    ("TOTAL-PASSED", "valid", Verdict.VALID),
    ("TOTAL-FAILED", "valid", Verdict.NOT_VALID),
    ("TOTAL-FAILED", "revoked", Verdict.NOT_VALID),  # a changed copy is never to be relied on
    ("TOTAL-PASSED", "revoked", Verdict.REVOKED),
    ("INDETERMINATE", "revoked", Verdict.REVOKED),
    ("TOTAL-PASSED", "superseded", Verdict.SUPERSEDED),
    ("INDETERMINATE", None, Verdict.INDETERMINATE),
    ("INDETERMINATE", "valid", Verdict.INDETERMINATE),
    (None, "valid", Verdict.INDETERMINATE),  # the stored original could not be examined
    (None, "revoked", Verdict.REVOKED),
])
def test_decide(indication, status, expected):
    assert decide(indication=indication, document_status=status) is expected


def test_only_valid_is_good_and_what_must_not_be_relied_on_is_an_alert():
    assert [v for v in Verdict if v.good] == [Verdict.VALID]
    assert {v for v in Verdict if v.urgent} == {Verdict.NOT_VALID, Verdict.REVOKED,
                                                Verdict.SUPERSEDED, Verdict.NOT_FOUND}
    assert Verdict.INDETERMINATE.tone == "warning" and Verdict.VALID.icon != Verdict.NOT_VALID.icon


@pytest.mark.parametrize("verdict", list(Verdict))
@pytest.mark.parametrize("language", ["es", "en"])
def test_every_verdict_has_words_in_both_languages(verdict, language):
    words = advice(verdict, language)
    assert set(words) == {"title", "means", "next"}
    assert all(value and not value.startswith("verify.") for value in words.values())
    assert advice(verdict, "es") != advice(verdict, "en")
