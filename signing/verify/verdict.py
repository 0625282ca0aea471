"""The one verdict a person reads first: valid, not valid, cannot tell, revoked, superseded;
and, for a verification code, not found (a possible forgery) or mistyped.

A pure decision on what the report and the issuing agency say (issue 19). The order matters:

1. the file's signatures fail (ETSI EN 319 102-1 TOTAL-FAILED: changed after signing, broken
   signature): `not_valid`, whatever else is known: a changed copy is never to be relied on;
2. the issuing agency withdrew the document: `revoked` or `superseded` (its signatures may
   still be cryptographically valid; the document no longer is);
3. the signatures cannot be judged (INDETERMINATE, unsigned, or the stored original missing):
   `indeterminate`;
4. else `valid`.

Each verdict has a title, what it means and what to do next, in `verify.verdict.<value>.*`.
"""

from __future__ import annotations

import enum


class Verdict(enum.Enum):
    VALID = "valid"
    NOT_VALID = "not_valid"
    INDETERMINATE = "indeterminate"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    NOT_FOUND = "not_found"  # a well-formed code no document has: possibly a forgery
    MALFORMED_CODE = "malformed_code"  # a mistyped code (wrong length, letters or check symbol)

    @property
    def good(self) -> bool:
        return self is Verdict.VALID

    @property
    def urgent(self) -> bool:
        """Announced at once (role=alert): the person must not rely on the document."""
        return self in (Verdict.NOT_VALID, Verdict.REVOKED, Verdict.SUPERSEDED, Verdict.NOT_FOUND)

    @property
    def tone(self) -> str:
        """The notice's style; the title's words and an icon carry the meaning, not colour."""
        if self.good:
            return "success"
        return "error" if self.urgent else "warning"

    @property
    def icon(self) -> str:
        return {"success": "\u2713", "error": "\u2717", "warning": "?"}[self.tone]


def decide(*, indication: str | None, document_status: str | None) -> Verdict:
    """The verdict of a verification: `indication` is the report's EN 319 102-1 main
    indication (None when the original could not be examined), `document_status` the issuing
    agency's word ("valid", "revoked", "superseded"; None for a document it did not issue)."""
    if indication == "TOTAL-FAILED":
        return Verdict.NOT_VALID
    if document_status == "revoked":
        return Verdict.REVOKED
    if document_status == "superseded":
        return Verdict.SUPERSEDED
    if indication == "TOTAL-PASSED":
        return Verdict.VALID
    return Verdict.INDETERMINATE


def advice(verdict: Verdict, language: str, *, kind: str | None = None) -> dict[str, str]:
    """The verdict in words: `title`, what it `means`, what to do `next` (JSON and pages).

    `kind` "citizen_signed": a valid document a citizen signed with this service is said to be
    valid as a citizen's signature (who signed it and when), not as a document an agency
    issued; "added" (or "citizen_signed_added", "unregistered_added"): a valid document with
    data added after its last signature (`VerificationReport.unsigned_additions`) is never
    said to be unchanged since it was signed; "validation_data" (or "citizen_signed_...",
    "unregistered_..."): what was added is only validation data (a DSS, as a PAdES B-LT
    signature adds after itself, `VerificationReport.validation_data_only`), a permitted
    addition said as such; "unregistered" (or "unregistered_added"): a
    valid document the register does not hold is not said to be still in force (nothing
    here knows whether its issuer withdrew it); the other verdicts keep their words."""
    from signing.verify.texts import text

    kind = kind or ""
    added = next((a for a in ("added", "validation_data")
                  if kind == a or kind.endswith(f"_{a}")), "")
    base = kind.removesuffix(added).rstrip("_")
    citizen = base == "citizen_signed"
    unregistered = base == "unregistered" and verdict.good
    suffix = f"_{added}" if added and verdict.good else ""
    key = f"citizen_signed.{verdict.value}" if citizen and verdict.good else verdict.value
    words = {part: text(f"verify.verdict.{key}{suffix if part != 'next' else ''}"
                        f".{part}", language)
             for part in ("title", "means", "next")}
    if unregistered:
        words["means"] = text(f"verify.verdict.unregistered.{verdict.value}{suffix}.means",
                              language)
    return words
