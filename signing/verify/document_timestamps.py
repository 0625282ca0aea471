"""Document time-stamps of a PDF (ETSI EN 319 142-1, 5.4: PAdES-LTA archive time-stamps),
each validated as a time-stamp token over the bytes its byte range covers (EN 319 102-1,
5.4), and one that fails now judged again at the time of the next valid one (5.6.2.5)."""

from __future__ import annotations

import logging
from dataclasses import replace

from pyhanko.sign.validation import ades
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import PdfSignatureValidationSpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo

from signing.verify import indication
from signing.verify.budget import Budget, BudgetExceeded
from signing.verify.differences import dss_knowledge
from signing.verify.report import DocumentTimestampReport
from signing.verify.signature_facts import subject_name
from signing.verify.signature_validation import at, raw_coverage

log = logging.getLogger(__name__)


async def judged(data: bytes, ordered: list[EmbeddedPdfSignature],
                 spec: PdfSignatureValidationSpec, timing: ValidationTimingInfo,
                 budget: Budget) -> list[DocumentTimestampReport]:
    """The reports of the document time-stamps `ordered` (oldest first)."""
    stamp_reports = []
    for embedded in ordered:
        budget.check()
        stamp_reports.append(await validate_timestamp(data, embedded, spec, timing))
    # An archive time-stamp whose authority's certificate has expired since is judged at the
    # time of the next valid one, which proves it existed then (EN 319 102-1, 5.6.2.5).
    for index in range(len(ordered) - 2, -1, -1):
        report, later = stamp_reports[index], stamp_reports[index + 1]
        if not report.valid and later.valid and later.time is not None:
            budget.check()
            then = at(later.time)
            again = await validate_timestamp(data, ordered[index], spec, then)
            if again.valid:
                stamp_reports[index] = again
    return stamp_reports


async def validate_timestamp(data: bytes, embedded: EmbeddedPdfSignature,
                             spec: PdfSignatureValidationSpec,
                             timing: ValidationTimingInfo) -> DocumentTimestampReport:
    name = embedded.field_name
    if not raw_coverage(data, embedded).ok:
        return DocumentTimestampReport(name, None, None, False, "wrapped")
    try:
        tst_info = embedded.signed_data["encap_content_info"]["content"].parsed
        when = tst_info["gen_time"].native
        authority = subject_name(embedded.signer_cert.subject)
        validation_spec = spec.signature_validation_spec
        knowledge = dss_knowledge(embedded.reader, validation_spec.local_knowledge)
        result = await ades.ades_timestamp_validation(
            embedded.signed_data, replace(validation_spec, local_knowledge=knowledge),
            embedded.compute_digest, timing_info=timing)
    except BudgetExceeded:
        raise
    except Exception as exc:
        log.info("document time-stamp %s could not be validated: %r", name, exc)
        return DocumentTimestampReport(name, None, None, False, "format_failure")
    conclusion = indication.from_ades(result.ades_subindic)
    return DocumentTimestampReport(
        name, when, authority, conclusion.passed,
        "timestamp_valid" if conclusion.passed else (conclusion.sub_indication or "").lower())
