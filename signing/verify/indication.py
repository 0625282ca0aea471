"""From pyHanko's validation results to ETSI EN 319 102-1 indications and sub-indications.

ETSI EN 319 102-1 V1.3.1, clause 5.1.3, Tables 4 to 6: every signature validation ends in
TOTAL-PASSED, INDETERMINATE or TOTAL-FAILED, the last two with a sub-indication. pyHanko's
AdES processes (`pyhanko.sign.validation.ades`) already yield those sub-indications:

- TOTAL-FAILED: HASH_FAILURE (5.2.7: the signed digest does not match the document bytes),
  SIG_CRYPTO_FAILURE (5.2.7: the signature value does not verify with the certificate's key),
  REVOKED (5.3.4: a content time-stamp proves the signature was made after revocation),
  FORMAT_FAILURE (5.2.2: the signature is not a well-formed PAdES/CMS signature),
  NOT_YET_VALID (5.2.6: proven to be made before the certificate was valid), EXPIRED.
- INDETERMINATE: NO_CERTIFICATE_CHAIN_FOUND (5.2.6: no path to a trust anchor),
  OUT_OF_BOUNDS_NO_POE (5.2.6: the certificate expired and nothing proves the signature
  existed before), REVOKED_NO_POE (5.2.6: revoked, and nothing proves the signature existed
  before the revocation), TRY_LATER (5.2.6: no revocation information available yet),
  NO_POE, CRYPTO_CONSTRAINTS_FAILURE(_NO_POE), SIG_CONSTRAINTS_FAILURE (5.2.8), ...

What pyHanko leaves to the caller is the format check of the PDF around the signature
(5.2.2, format checking, and ETSI EN 319 142-1 for PDF): this module adds it.

- The signature's byte range must be the standard one and cover its whole revision; else the
  file was rearranged around the signed bytes (signature wrapping): TOTAL-FAILED/FORMAT_FAILURE.
- Changes after the signed revision are judged by pyHanko's difference analysis. Only adding
  validation data and time-stamps (`LTA_UPDATES`) or further signatures keeps TOTAL-PASSED.
  Changes that are never allowed (`OTHER`: page content, fonts, objects redefined;
  incremental saving and shadow "replace" attacks) or that break the document's DocMDP/FieldMDP
  permissions are TOTAL-FAILED/FORMAT_FAILURE. Changes the PDF standard permits but that alter
  what a reader sees (filled-in form fields, added annotations: shadow "hide" attacks) fail
  this service's validation constraints: INDETERMINATE/SIG_CONSTRAINTS_FAILURE (5.2.8).
- A PDF without any signature has nothing to validate: INDETERMINATE/NO_SIGNATURE_FOUND
  (not an EN 319 102-1 sub-indication; the standard presumes a signature).
"""

from __future__ import annotations

from datetime import datetime

from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESPassed, AdESSubIndic

from signing.verify.report import PASSED, Conclusion, Indication, Modifications

NO_SIGNATURE_FOUND = "NO_SIGNATURE_FOUND"
FORMAT_FAILURE = Conclusion(Indication.TOTAL_FAILED, AdESFailure.FORMAT_FAILURE.name)
SIG_CONSTRAINTS_FAILURE = Conclusion(Indication.INDETERMINATE,
                                     AdESIndeterminate.SIG_CONSTRAINTS_FAILURE.name)
UNSIGNED = Conclusion(Indication.INDETERMINATE, NO_SIGNATURE_FOUND)
# Not EN 319 102-1 sub-indications either: the verification stopped at its work limits
# (`signing.verify.budget`), or a signature carries more certificates than are examined.
TIME_BUDGET_EXCEEDED = "TIME_BUDGET_EXCEEDED"
BUDGET_EXCEEDED = Conclusion(Indication.INDETERMINATE, TIME_BUDGET_EXCEEDED)
# The signer's revocation data all predates the signature's proof of existence (5.2.6:
# the revocation freshness check failed; `signing.verify.freshness`).
STALE_REVOCATION = Conclusion(Indication.INDETERMINATE, AdESIndeterminate.TRY_LATER.name)
CHAIN_GENERAL_FAILURE = Conclusion(Indication.INDETERMINATE,
                                   AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE.name)

# Modification levels (report.Modifications.level) and their verdict (see module docstring).
_BY_MODIFICATION = {
    "none": PASSED,
    "unchanged": PASSED,
    "unreferenced": PASSED,
    "validation_data": PASSED,
    "signatures": PASSED,
    "form_filling": SIG_CONSTRAINTS_FAILURE,
    "annotations": SIG_CONSTRAINTS_FAILURE,
    "metadata": SIG_CONSTRAINTS_FAILURE,
    "beyond_certification": FORMAT_FAILURE,
    "other": FORMAT_FAILURE,
    "appended": FORMAT_FAILURE,
    "unclear": FORMAT_FAILURE,
    "not_examined": FORMAT_FAILURE,  # only with a signature that failed before (validation)
}


def from_ades(sub_indication: AdESSubIndic) -> Conclusion:
    """The EN 319 102-1 indication of a pyHanko AdES sub-indication (clause 5.1.3)."""
    if isinstance(sub_indication, AdESPassed):
        return PASSED
    if isinstance(sub_indication, AdESFailure):
        return Conclusion(Indication.TOTAL_FAILED, sub_indication.standard_name)
    if isinstance(sub_indication, AdESIndeterminate):
        return Conclusion(Indication.INDETERMINATE, sub_indication.standard_name)
    raise TypeError(f"not an AdES sub-indication: {sub_indication!r}")


def check_proven_time(conclusion: Conclusion, *, proven: datetime | None,
                      not_before: datetime) -> Conclusion:
    """TOTAL-FAILED/NOT_YET_VALID when a validated time-stamp proves the signature existed
    before its certificate was issued (5.5.4; Table 5)."""
    if proven is not None and proven < not_before:
        return Conclusion(Indication.TOTAL_FAILED, AdESFailure.NOT_YET_VALID.name)
    return conclusion


def check_validity_period(conclusion: Conclusion, *, proven: datetime | None, now: datetime,
                          not_before: datetime, not_after: datetime) -> Conclusion:
    """The signing certificate's validity period, checked here and not left to pyHanko alone
    (EN 319 102-1, 5.2.6 and 5.5.4): the oldest proof of existence (else the validation
    time) must fall within [notBefore, notAfter]. After notAfter nothing proves the signature
    was made while the certificate was valid: INDETERMINATE/OUT_OF_BOUNDS_NO_POE (a failure
    already found stays)."""
    if conclusion.indication is Indication.TOTAL_FAILED:
        return conclusion
    moment = proven if proven is not None else now
    if moment > not_after:
        return conclusion.worst(Conclusion(Indication.INDETERMINATE,
                                           AdESIndeterminate.OUT_OF_BOUNDS_NO_POE.name))
    if proven is not None and proven < not_before:
        return Conclusion(Indication.TOTAL_FAILED, AdESFailure.NOT_YET_VALID.name)
    return conclusion


def check_revocation(conclusion: Conclusion, *, revoked_since: datetime | None,
                     proven: datetime | None) -> Conclusion:
    """A revoked certificate distrusts every signature not proven to exist before
    `revoked_since`: the invalidity date (RFC 5280, 5.3.2, e.g. since when the key was
    compromised) when known, else the revocation date (EN 319 102-1, 5.2.6 and 5.6.2.4):
    INDETERMINATE/REVOKED_NO_POE (a failure already found stays)."""
    if revoked_since is None or conclusion.indication is Indication.TOTAL_FAILED:
        return conclusion
    if proven is None or proven >= revoked_since:
        return conclusion.worst(Conclusion(Indication.INDETERMINATE,
                                           AdESIndeterminate.REVOKED_NO_POE.name))
    return conclusion


def from_modifications(modifications: Modifications) -> Conclusion:
    """The verdict of the PDF format check on what changed after the signature (5.2.2, 5.2.8)."""
    return _BY_MODIFICATION[modifications.level]


def for_signature(cryptographic: Conclusion, modifications: Modifications) -> Conclusion:
    """Both checks together: the worse of the two, a failure before an indeterminate."""
    return cryptographic.worst(from_modifications(modifications))


def overall(conclusions: list[Conclusion]) -> Conclusion:
    """The document's indication: the worst of its signatures'; unsigned is INDETERMINATE."""
    if not conclusions:
        return UNSIGNED
    result = conclusions[0]
    for conclusion in conclusions[1:]:
        result = result.worst(conclusion)
    return result


def reason(conclusion: Conclusion, modifications: Modifications) -> str:
    """The key suffix of the plain-words message for a signature (`verify.reason.<key>`)."""
    if conclusion.passed:
        return "passed"
    if conclusion in (FORMAT_FAILURE, SIG_CONSTRAINTS_FAILURE) and \
            from_modifications(modifications) == conclusion:
        return {"unclear": "wrapped", "appended": "appended", "metadata": "changed_claims",
                "beyond_certification": "beyond_certification"}.get(
            modifications.level, "modified" if conclusion == FORMAT_FAILURE else "changed_view")
    return (conclusion.sub_indication or "generic").lower()
