"""One signature of a PDF validated with pyHanko's AdES processes (ETSI EN 319 102-1).

- With a later document time-stamp: the validation process for signatures providing
  long-term availability and integrity of validation material (5.6.3, `ades_lta_validation`),
  falling back to the signature's own process, then to past validation at the time of the
  first valid archive time-stamp (5.6.2.5).
- With a signature time-stamp: validation with time (5.5); without: basic validation (5.3);
  the DSS as local knowledge (`own_process`).

Around the cryptographic result, Cédula's own checks: the byte range and the difference
analysis (`integrity`), the signed attributes, the certificate's validity period against the
proven time, the freshness of revocation data (`freshness`), revocation with its invalidity
date (`compromise`), the order of its content and signature time-stamps (`timestamp_order`),
and the verdict's reason in words (`reasons`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.validation import ades
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import PdfSignatureValidationSpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.revinfo.archival import OCSPContainer

from signing.verify import (
    algorithms,
    byterange,
    compromise,
    freshness,
    indication,
    integrity,
    reasons,
    signature_timestamp,
    signed_attributes,
    subfilters,
    timestamp_order,
)
from signing.verify.budget import Budget, BudgetExceeded
from signing.verify.differences import dss_knowledge
from signing.verify.errors import UnreadableDocument
from signing.verify.levels import has_signature_timestamp, pades_level
from signing.verify.report import Conclusion, Modifications, Revocation, SignatureReport
from signing.verify.signature_facts import (
    certificate_info,
    chain_of,
    revocation_of,
    signer_identity,
    timestamp_chain,
    timestamp_info,
)

log = logging.getLogger(__name__)

OwnStatus = Callable[[asn1_x509.Certificate, asn1_x509.Certificate, datetime],
                     "asn1_ocsp.OCSPResponse | None"]
"""(certificate, its issuer, not before) -> this service's OCSP response about `certificate`,
produced at or after `not before`; None when the issuer is not this service's issuing CA."""


def ades_process(embedded: EmbeddedPdfSignature, stamps: list[EmbeddedPdfSignature]) -> str:
    """The EN 319 102-1 process for the signature's form: "basic" (5.3) without a time-stamp,
    "with_time" (5.5) with a signature time-stamp, "lta" (5.6.3) with a later document
    time-stamp (proofs of existence for the validation data)."""
    if any(ts.signed_revision > embedded.signed_revision for ts in stamps):
        return "lta"
    return "with_time" if has_signature_timestamp(embedded) else "basic"


def format_failure(name: str, modifications: Modifications | None = None, *,
                   reason: str = "format_failure",
                   conclusion: Conclusion = indication.FORMAT_FAILURE) -> SignatureReport:
    return SignatureReport(  # what followed the signature was not examined, unless told
        field=name, conclusion=conclusion, reason=reason, signer=None, signing_time=None,
        timestamp=None, proven_time=None, chain=(), trust_anchor=None,
        revocation=Revocation("unknown"), level=None, covers_whole_document=False,
        modifications=modifications or Modifications("not_examined"))


def raw_coverage(data: bytes, embedded: EmbeddedPdfSignature) -> byterange.RawCoverage:
    try:
        return byterange.check(data, list(embedded.byte_range), embedded.pkcs7_content)
    except (ValueError, TypeError, KeyError) as exc:
        return byterange.RawCoverage(False, problem=f"the byte range cannot be read ({exc})")


async def validate_signature(data: bytes, embedded: EmbeddedPdfSignature,
                             spec: PdfSignatureValidationSpec, timing: ValidationTimingInfo,
                             stamps: list[EmbeddedPdfSignature], signature_fields: set[str],
                             budget: Budget, too_many_dss: bool,
                             unusable_stamps: frozenset[str] = frozenset(),
                             valid_times: dict[str, datetime | None] | None = None,
                             own_status: OwnStatus | None = None) -> SignatureReport:
    name = embedded.field_name
    if embedded.sig_object.get("/SubFilter") not in subfilters.VALIDATED:
        return format_failure(name)
    raw = raw_coverage(data, embedded)
    if not raw.ok:
        return format_failure(name, Modifications("unclear", detail=raw.problem),
                              reason="wrapped")
    if embedded.reader.xrefs.hybrid_xrefs_present:  # pyHanko validates none of these files
        return format_failure(name, Modifications(
            "unclear", detail="hybrid cross-reference sections (a table and /XRefStm)"),
            reason="hybrid_reference")
    malformed = signed_attributes.problem(embedded.signer_info,
                                          subfilter=str(embedded.sig_object.get("/SubFilter")))
    if malformed is not None:
        log.info("signature %s is malformed: %s", name, malformed)
        return format_failure(name, Modifications("none" if raw.entire_file else "unclear"))
    weak = algorithms.weak_certificate_reference(embedded.signer_info)
    if weak is not None:  # not malformed, not trustworthy either (EN 319 102-1, 5.2.8)
        log.info("signature %s relies on a weak algorithm: %s", name, weak)
        return format_failure(name, reason="crypto_constraints_failure",
                              conclusion=subfilters.OBSOLETE_FORMAT)
    certificates = embedded.signed_data["certificates"]
    if len(certificates or ()) > budget.limits.cms_certificates or too_many_dss:
        return format_failure(name, Modifications("none" if raw.entire_file else "unclear"),
                              reason="too_many_certificates",
                              conclusion=indication.CHAIN_GENERAL_FAILURE)
    later = sorted((ts for ts in stamps if ts.signed_revision > embedded.signed_revision),
                   key=lambda ts: ts.signed_revision)
    not_used = tuple(ts.field_name for ts in later if ts.field_name in unusable_stamps)
    proven: datetime | None
    try:
        modifications = integrity.examined(embedded, signature_fields, raw)
        process = ades_process(embedded, stamps)
        if process == "lta":
            result = await ades.ades_lta_validation(embedded, spec, timing_info=timing)
            proven, ts_result = result.best_signature_time, result.signature_timestamp_status
            if not indication.from_ades(result.ades_subindic).passed:
                # Document time-stamps only add proofs of existence: a signature that passes
                # on its own is not downgraded by one appended later (e.g. by an untrusted
                # TSA); the report names the time-stamps that could not be used.
                alone = await own_process(embedded, spec, timing)
                if indication.from_ades(alone[0].ades_subindic).passed:
                    result, proven, ts_result = alone
                else:
                    # Archive time-stamps (EN 319 142-1, PAdES-LTA; EN 319 102-1, 5.6.2.5):
                    # the first document time-stamp after the signature is valid, each one
                    # judged at the time of the next and the newest now; it proves the
                    # signature and its validation data existed at its time: judge the
                    # signature then. (pyHanko's own process lets current CRLs keep its
                    # control time after certificates expired, and fails such documents.)
                    first = (valid_times or {}).get(later[0].field_name) if later else None
                    if first is not None and first < timing.validation_time:
                        then = at(first)
                        own = await own_process(embedded, spec, then)
                        if indication.from_ades(own[0].ades_subindic).passed:
                            result, proven, ts_result = own
                            proven = proven or first
                            timing = then
                    if result.ades_subindic is AdESIndeterminate.SIG_CONSTRAINTS_FAILURE and \
                            not has_signature_timestamp(embedded):
                        # pyHanko's LTA process asks every signature for a signature
                        # time-stamp ("No signature timestamp present"): for one without, the
                        # signature's own process says why it fails (e.g. its certificate
                        # expired before the first document time-stamp: OUT_OF_BOUNDS_NO_POE)
                        result, ts_result = alone[0], alone[2]
        else:
            result, proven, ts_result = await own_process(embedded, spec, timing)
    except (BudgetExceeded, UnreadableDocument):
        raise
    except Exception as exc:
        if budget.exceeded:
            raise BudgetExceeded(budget.exceeded) from None
        log.info("signature %s could not be validated: %r", name, exc)
        return format_failure(name)
    if budget.exceeded:  # pyHanko swallowed the exception raised in path building
        raise BudgetExceeded(budget.exceeded)
    cryptographic = indication.from_ades(result.ades_subindic)
    timestamp = timestamp_info(embedded, ts_result)
    if timestamp is not None and not timestamp.valid and not cryptographic.passed:
        # pyHanko stopped at the signer: the time-stamp's own validity (`signature_timestamp`)
        ts_result = await signature_timestamp.judged(embedded, spec.signature_validation_spec, timing)
        timestamp = timestamp_info(embedded, ts_result)
    if timestamp is not None and timestamp.valid:
        cryptographic = indication.check_proven_time(
            cryptographic, proven=proven, not_before=embedded.signer_cert.not_valid_before)
    proven_by_stamp = proven if timestamp is not None and timestamp.valid else None
    cryptographic = indication.check_validity_period(
        cryptographic, proven=proven_by_stamp,
        now=timing.validation_time, not_before=embedded.signer_cert.not_valid_before,
        not_after=embedded.signer_cert.not_valid_after)
    # A content time-stamp later than the signature time-stamp (5.5.4), which pyHanko compares
    # only for a revoked or expired signer (`timestamp_order`).
    out_of_order = timestamp_order.content_after_signature(embedded.signer_info)
    cryptographic = timestamp_order.check(cryptographic, out_of_order=out_of_order)
    status = result.api_status
    chain, anchor = chain_of(status, embedded.signer_cert)
    knowledge = dss_knowledge(embedded.reader, spec.signature_validation_spec.local_knowledge)
    path = getattr(status, "validation_path", None)
    stale = cryptographic.passed and proven_by_stamp is not None and path is not None and \
        not await freshness.fresh_after(
            spec.signature_validation_spec, knowledge, path, proven=proven_by_stamp,
            at=timing.validation_time)
    if stale and own_status is not None and len(chain) > 1 and proven_by_stamp is not None \
            and path is not None:
        answer = own_status(embedded.signer_cert, chain[1], proven_by_stamp)
        if answer is not None:  # our own CA's status, produced after the time-stamp
            knowledge = replace(knowledge, known_ocsps=[
                *knowledge.known_ocsps, *OCSPContainer.load_multi(answer)])
            stale = not await freshness.fresh_after(
                spec.signature_validation_spec, knowledge, path, proven=proven_by_stamp,
                at=timing.validation_time)
    if budget.exceeded:
        raise BudgetExceeded(budget.exceeded)
    if stale:  # only revocation data from before the proven time (`freshness`)
        cryptographic = indication.STALE_REVOCATION
    revocation = Revocation("unknown") if stale else revocation_of(status, cryptographic)
    if anchor is not None and len(chain) > 1:
        every = dss_knowledge(embedded.reader, spec.signature_validation_spec.local_knowledge,
                              lifted_holds=True)
        listed = compromise.signer_revocation(
            signer=embedded.signer_cert, issuer=chain[1],
            crls=[container.crl_data for container in every.known_crls],
            ocsps=[container.ocsp_response_data for container in knowledge.known_ocsps],
            at=proven_by_stamp or timing.validation_time)
        if listed is not None and compromise.distrusted_at(
                listed, proven_by_stamp or timing.validation_time):
            revocation = listed
            cryptographic = indication.check_revocation(
                cryptographic, revoked_since=compromise.since(listed), proven=proven_by_stamp)
    conclusion = indication.for_signature(cryptographic, modifications)
    reason = indication.reason(conclusion, modifications)
    reason = reasons.refined(
        reason, digest_matches=reason == "hash_failure" and signed_attributes.digest_matches(
            embedded.signer_info, embedded.compute_digest()),  # the document is intact
        chain_trusted=anchor is not None,
        timestamp_valid=timestamp.valid if timestamp is not None else None,
        proven_by_stamp=proven_by_stamp, not_after=embedded.signer_cert.not_valid_after,
        content_after_signature=out_of_order)
    if reason == "hash_failure":  # it signs other bytes: it covers nothing of this file, and
        modifications = Modifications("not_examined")  # what followed it says nothing
    return SignatureReport(
        field=name, conclusion=conclusion, reason=reason,
        signer=signer_identity(embedded.signer_cert), signing_time=embedded.self_reported_timestamp,
        timestamp=timestamp, proven_time=proven,
        chain=tuple(certificate_info(c) for c in chain),
        trust_anchor=certificate_info(anchor) if anchor is not None else None,
        revocation=revocation,
        level=pades_level(embedded=embedded, chain=chain,
                          document_timestamps=[ts for ts in stamps
                                               if ts.field_name not in unusable_stamps],
                          signature_timestamp_valid=timestamp is not None and timestamp.valid,
                          timestamp_chain=timestamp_chain(embedded, ts_result)),
        covers_whole_document=modifications.level == "none",
        modifications=modifications, timestamps_not_used=not_used)


def at(moment: datetime) -> ValidationTimingInfo:
    """Point-in-time validation at `moment` (EN 319 102-1, 5.6.2: past validation)."""
    return ValidationTimingInfo(validation_time=moment, best_signature_time=moment,
                                point_in_time_validation=True)


async def own_process(embedded: EmbeddedPdfSignature, spec: PdfSignatureValidationSpec,
                      timing: ValidationTimingInfo) -> tuple[Any, datetime | None, Any]:
    """The signature validated without document time-stamps: with time (5.5) when it has a
    signature time-stamp, else basic (5.3); the DSS is local knowledge. (result, proven time,
    signature time-stamp result)."""
    validation_spec = spec.signature_validation_spec
    knowledge = dss_knowledge(embedded.reader, validation_spec.local_knowledge)
    arguments: dict[str, Any] = {
        "validation_spec": replace(validation_spec, local_knowledge=knowledge),
        "timing_info": timing, "raw_digest": embedded.compute_digest()}
    if has_signature_timestamp(embedded):
        timed = await ades.ades_with_time_validation(embedded.signed_data, **arguments)
        return timed, timed.best_signature_time, timed
    basic = await ades.ades_basic_validation(embedded.signed_data, **arguments)
    return basic, None, None
