"""Validate every signature of a PDF with pyHanko's AdES processes (ETSI EN 319 102-1).

- Signatures with a signature time-stamp: the validation process for signatures providing
  long-term availability and integrity of validation material (clause 5.6.3,
  `ades_lta_validation`), which uses the DSS, the document time-stamps as proofs of existence
  and past signature validation.
- Signatures without one: the validation process for basic signatures (clause 5.3,
  `ades_basic_validation`), with the DSS as local knowledge.

Revocation information comes first from the document (DSS, signed revocation attributes), then
from this service's own PKI (its current CRLs, read in-process). Nothing is fetched from URLs
found in the file unless `[verify] fetch_revocation` is on (and certificates never are).
Around the signature, the PDF itself is checked: byte range, coverage and pyHanko's difference
analysis of every revision added after signing (see `indication`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import ades
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

from keys.x509 import SIGNING_PURPOSES
from signing import pdf_parsing
from signing.verify import (
    active_content,
    algorithms,
    byterange,
    compromise,
    freshness,
    indication,
    integrity,
    reasons,
    reverse_refs,
    roles,
    signature_timestamp,
    signed_attributes,
    subfilters,
    tsa_usage,
)
from signing.verify import budget as budgets
from signing.verify.budget import Budget, BudgetExceeded, Limits
from signing.verify.differences import DIFF_POLICY, dss_entries, dss_knowledge
from signing.verify.errors import UnreadableDocument
from signing.verify.field_locks import LockedFieldsSignature
from signing.verify.levels import has_signature_timestamp, pades_level
from signing.verify.reading import read_pdf
from signing.verify.report import (
    Conclusion,
    DocumentTimestampReport,
    Modifications,
    Revocation,
    SignatureReport,
    VerificationReport,
)
from signing.verify.roles import Expectations
from signing.verify.shown import shown
from signing.verify.signature_facts import (
    certificate_info,
    chain_of,
    revocation_of,
    signer_identity,
    subject_name,
    timestamp_info,
)
from signing.verify.trust import TrustAnchors, TrustStore

log = logging.getLogger(__name__)

# RFC 5280, 4.2.1.12: a signer's certificate with an extended key usage extension may sign
# documents only if it lists one of these (or anyExtendedKeyUsage): document signing (RFC
# 9336), emailProtection (what NSS, i.e. pdfsig, requires of a CMS signer, RFC 8550 4.4.4),
# Microsoft's and Adobe's document signing purposes. A TSA's or an OCSP responder's
# certificate (timeStamping, OCSPSigning only) signs no document. Without the extension,
# the key usage alone decides (pyHanko's default: digitalSignature or nonRepudiation).
SIGNER_KEY_USAGE = KeyUsageConstraints(
    key_usage=PdfSignatureStatus.key_usage, explicit_extd_key_usage_required=False,
    extd_key_usage=frozenset({*SIGNING_PURPOSES, "microsoft_document_signing",
                              "adobe_authentic_documents_trust"}))


OwnStatus = Callable[[asn1_x509.Certificate, asn1_x509.Certificate, datetime],
                     "asn1_ocsp.OCSPResponse | None"]
"""(certificate, its issuer, not before) -> this service's OCSP response about `certificate`,
produced at or after `not before`; None when the issuer is not this service's issuing CA."""


@dataclass(frozen=True)
class _Context:
    own_roots: frozenset[bytes]
    expectations: Expectations
    own_status: OwnStatus | None = None


@dataclass(frozen=True)
class Evidence:
    """What this service knows besides the file: its own roots, CA/TSA certificates, CRLs,
    and (`own_status`) its own OCSP responder, asked only about a certificate of its own
    issuing CA whose time-stamped signature carries no status issued after its time-stamp
    (a B-T seal, or one sealed before its revocation data was placed after the time-stamp):
    the CA that issued the certificate says now whether it was revoked since."""

    roots: tuple[asn1_x509.Certificate, ...] = ()
    certificates: tuple[asn1_x509.Certificate, ...] = ()
    crls: tuple[asn1_crl.CertificateList, ...] = ()
    own_status: OwnStatus | None = None


class Verifier:
    """Verifies PDFs against the trust anchors. Build once per process; thread-safe."""

    def __init__(self, *, trust: TrustStore, evidence: Callable[[datetime], Evidence],
                 clock: Callable[[], datetime], max_bytes: int,
                 fetch_revocation: bool = False, limits: Limits | None = None,
                 expectations: Expectations | None = None) -> None:
        self.trust = trust
        self.expectations = expectations or Expectations()
        self.evidence = evidence
        self.clock = clock
        self.max_bytes = max_bytes
        self.fetch_revocation = fetch_revocation
        self.limits = limits or Limits()
        self.slots = budgets.Slots(self.limits.concurrent)
        pdf_parsing.install()  # objects counted against the budget, hex strings in one pass
        reverse_refs.install()  # the difference analysis walks each signed revision cheaply
        tsa_usage.install()  # a TSA's certificate: time-stamping only (RFC 3161, 2.3)

    def verify(self, data: bytes) -> VerificationReport:
        """The report for `data`; `UnreadableDocument` if it cannot be read as a PDF.

        The work runs under a `Budget`: past `limits.seconds` the answer is INDETERMINATE
        (TIME_BUDGET_EXCEEDED) at once, and the abandoned work stops at its next checkpoint;
        a file that expands into more objects than its size explains
        (`pdf_parsing.object_allowance`) is `UnreadableDocument` ("document_too_complex") as
        soon as it passes the allowance.
        """
        reader = read_pdf(data, max_bytes=self.max_bytes)
        now = self.clock()
        evidence = self.evidence(now)
        anchors = self.trust.anchors(evidence.roots)
        spec = self._spec(anchors, evidence)
        timing = ValidationTimingInfo(validation_time=now, best_signature_time=now,
                                      point_in_time_validation=False)
        self.slots.take()  # before the budget's clock starts
        budget = Budget(self.limits, max_objects=pdf_parsing.object_allowance(len(data)))
        context = _Context(frozenset(c.sha256 for c in evidence.roots), self.expectations,
                           evidence.own_status)
        outcome: dict[str, Any] = {}

        def work() -> None:
            budgets.activate(budget)
            try:
                outcome["result"] = asyncio.run(_validate_all(data, reader, spec, timing,
                                                              budget, context))
            except BudgetExceeded:
                outcome["budget"] = True
            except UnreadableDocument as exc:
                outcome["unreadable"] = exc
            except (RecursionError, PdfError) as exc:  # a hostile file: the expected refusal
                log.info("verification refused: damaged PDF",
                         extra={"problem": type(exc).__name__, "detail": str(exc)[:200]})
                outcome["unreadable"] = UnreadableDocument(
                    "The PDF is nested too deeply to be read." if isinstance(exc, RecursionError)
                    else f"The PDF is damaged or cannot be verified ({type(exc).__name__}).",
                    error="damaged_pdf")
            except Exception as exc:  # never a 500: an unexpected failure is a verdict
                log.warning("verification failed unexpectedly", exc_info=exc)
                outcome["unreadable"] = UnreadableDocument(
                    "The PDF is damaged or uses structures that cannot be verified "
                    f"({type(exc).__name__}).", error="damaged_pdf")
            finally:
                self.slots.give_back()

        worker = threading.Thread(target=work, name="verification", daemon=True)
        try:
            worker.start()
        except RuntimeError:  # no thread: its slot is not taken after all
            self.slots.give_back()
            raise
        worker.join(budget.remaining() + 0.05)
        if budget.exceeded in ("objects", "inflation"):  # the worker stops at its next object
            budget.cancelled = True
            log.warning("verification refused: too many objects",
                        extra={"objects": budget.objects_read, "size": len(data),
                               "limit": budget.exceeded})
            expands = f"expands into more than {budget.max_objects} objects, far more than " \
                f"a file of {len(data)} bytes holds" if budget.exceeded == "objects" else \
                "packs its objects in compressed streams that expand far more than any " \
                "document's (a decompression bomb)"
            raise UnreadableDocument(
                f"The PDF {expands}; it cannot be verified here. Ask the issuer for the "
                "original, or use the verification code printed on it.",
                error="document_too_complex")
        if worker.is_alive() or "budget" in outcome or budget.exceeded:
            budget.cancelled = True
            log.warning("verification stopped: budget exceeded",
                        extra={"limit": budget.exceeded or "time", "size": len(data)})
            return VerificationReport(
                conclusion=indication.BUDGET_EXCEEDED, validated_at=now,
                sha256=hashlib.sha256(data).hexdigest(), size=len(data), signatures=(),
                reason="budget_exceeded")
        if "unreadable" in outcome:
            raise outcome["unreadable"]
        signatures, timestamps, signed_ends, covered, active = outcome["result"]
        return VerificationReport(
            conclusion=indication.overall([s.conclusion for s in signatures]),
            validated_at=now, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
            signatures=tuple(signatures), document_timestamps=tuple(timestamps),
            signed_ends=signed_ends, active_content=active,
            unsigned_additions=bool(data[covered:].strip(b"\x00\t\n\x0c\r ")) if covered else False)

    def _spec(self, anchors: TrustAnchors, evidence: Evidence) -> PdfSignatureValidationSpec:
        rule = RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH if self.fetch_revocation \
            else RevinfoOnlineFetchingRule.LOCAL_ONLY
        knowledge = LocalKnowledge(known_crls=[CRLContainer(c) for c in evidence.crls],
                                   known_certs=list(evidence.certificates))
        return PdfSignatureValidationSpec(
            signature_validation_spec=SignatureValidationSpec(
                cert_validation_policy=CertValidationPolicySpec(
                    trust_manager=anchors.manager,
                    revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
                    algorithm_usage_policy=algorithms.POLICY),
                revinfo_gathering_policy=RevocationInfoGatheringSpec(
                    online_fetching_rule=rule,
                    certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH),
                local_knowledge=knowledge,
                key_usage_settings=SIGNER_KEY_USAGE),
            diff_policy=DIFF_POLICY)


async def _validate_all(data: bytes, reader: PdfFileReader, spec: PdfSignatureValidationSpec,
                        timing: ValidationTimingInfo, budget: Budget, context: _Context
                        ) -> tuple[list[SignatureReport], list[DocumentTimestampReport],
                                   tuple[int, ...], int, tuple[str, ...]]:
    regular: list[EmbeddedPdfSignature] = []
    stamps: list[EmbeddedPdfSignature] = []
    broken: list[SignatureReport] = []
    try:
        found = list(enumerate_sig_fields(reader, filled_status=True))
    except (RecursionError, ValueError, KeyError, TypeError, AttributeError) as exc:
        # a cyclic or absurdly deep field tree: the form cannot be read (ISO 32000-1, 12.7.3.1)
        raise UnreadableDocument("The PDF's form field tree is cyclic or too deep to be read "
                                 f"({type(exc).__name__}).", error="damaged_pdf") from None
    if len(found) > budget.limits.signatures:
        budget.exceeded = "signatures"
        raise BudgetExceeded(f"{len(found)} signature fields")
    for name, sig_object, sig_field in found:
        budget.check()
        if subfilters.obsolete(sig_object):  # SHA-1 only: not validated, not malformed either
            broken.append(_format_failure(name, reason="obsolete_format",
                                          conclusion=subfilters.OBSOLETE_FORMAT))
            continue
        embedded: EmbeddedPdfSignature
        try:
            embedded = LockedFieldsSignature(reader, sig_field, name)
            kind = embedded.sig_object_type
            embedded.signer_cert  # noqa: B018 - a CMS without its signer's certificate fails here
        except Exception as exc:
            log.debug("unreadable signature %s", name, exc_info=exc)
            broken.append(_format_failure(name, reason="format_failure"))
            continue
        (stamps if kind == "/DocTimeStamp" else regular).append(embedded)
    regular.sort(key=lambda e: e.signed_revision)
    signature_fields = {e.field_name for e in regular}
    too_many_dss = dss_entries(reader) > budget.limits.dss_entries
    ordered = sorted(stamps, key=lambda e: e.signed_revision)
    stamp_reports = []
    for embedded in ordered:
        budget.check()
        stamp_reports.append(await _validate_timestamp(data, embedded, spec, timing))
    # An archive time-stamp whose authority's certificate has expired since is judged at the
    # time of the next valid one, which proves it existed then (EN 319 102-1, 5.6.2.5).
    for index in range(len(ordered) - 2, -1, -1):
        report, later = stamp_reports[index], stamp_reports[index + 1]
        if not report.valid and later.valid and later.time is not None:
            budget.check()
            then = _at(later.time)
            again = await _validate_timestamp(data, ordered[index], spec, then)
            if again.valid:
                stamp_reports[index] = again
    unusable = frozenset(r.field for r in stamp_reports if not r.valid)
    valid_times = {r.field: r.time for r in stamp_reports if r.valid}
    reports: list[SignatureReport] = []
    for embedded in regular:
        budget.check()
        signed = await _validate_signature(data, embedded, spec, timing, stamps,
                                           signature_fields, budget, too_many_dss, unusable,
                                           valid_times, context.own_status)
        reports.append(roles.with_role(signed, embedded, data, own_roots=context.own_roots,
                                       expected=context.expectations))
    ends = [_raw_coverage(data, embedded) for embedded in regular + ordered]
    signed_ends = tuple(sorted({raw.signed_end for raw in ends if raw.ok}))
    # what a signature or a valid document time-stamp signs: one nobody can validate vouches
    # for nothing, so what it alone covers counts as added unsigned (`unsigned_additions`)
    vouching = ends[:len(regular)] + [raw for raw, report in zip(ends[len(regular):],
                                                                stamp_reports, strict=True)
                                      if report.valid]
    covered = max((raw.signed_end for raw in vouching if raw.ok), default=0)
    return ([_shown_fields(r) for r in broken + reports],
            [replace(r, field=shown(r.field)) for r in stamp_reports], signed_ends, covered,
            active_content.found(reader))


def _shown_fields(report: SignatureReport) -> SignatureReport:
    """The report with its field names as shown (`shown`), once nothing compares them."""
    return replace(report, field=shown(report.field),
                   timestamps_not_used=tuple(shown(f) for f in report.timestamps_not_used))


def _process(embedded: EmbeddedPdfSignature, stamps: list[EmbeddedPdfSignature]) -> str:
    """The EN 319 102-1 process for the signature's form: "basic" (5.3) without a time-stamp,
    "with_time" (5.5) with a signature time-stamp, "lta" (5.6.3) with a later document
    time-stamp (proofs of existence for the validation data)."""
    if any(ts.signed_revision > embedded.signed_revision for ts in stamps):
        return "lta"
    return "with_time" if has_signature_timestamp(embedded) else "basic"


def _format_failure(name: str, modifications: Modifications | None = None, *,
                    reason: str = "format_failure",
                    conclusion: Conclusion = indication.FORMAT_FAILURE) -> SignatureReport:
    return SignatureReport(  # what followed the signature was not examined, unless told
        field=name, conclusion=conclusion, reason=reason, signer=None, signing_time=None,
        timestamp=None, proven_time=None, chain=(), trust_anchor=None,
        revocation=Revocation("unknown"), level=None, covers_whole_document=False,
        modifications=modifications or Modifications("not_examined"))


def _raw_coverage(data: bytes, embedded: EmbeddedPdfSignature) -> byterange.RawCoverage:
    try:
        return byterange.check(data, list(embedded.byte_range), embedded.pkcs7_content)
    except (ValueError, TypeError, KeyError) as exc:
        return byterange.RawCoverage(False, problem=f"the byte range cannot be read ({exc})")


async def _validate_signature(data: bytes, embedded: EmbeddedPdfSignature,
                              spec: PdfSignatureValidationSpec, timing: ValidationTimingInfo,
                              stamps: list[EmbeddedPdfSignature], signature_fields: set[str],
                              budget: Budget, too_many_dss: bool,
                              unusable_stamps: frozenset[str] = frozenset(),
                              valid_times: dict[str, datetime | None] | None = None,
                              own_status: OwnStatus | None = None) -> SignatureReport:
    name = embedded.field_name
    if embedded.sig_object.get("/SubFilter") not in subfilters.VALIDATED:
        return _format_failure(name)
    raw = _raw_coverage(data, embedded)
    if not raw.ok:
        return _format_failure(name, Modifications("unclear", detail=raw.problem),
                               reason="wrapped")
    if embedded.reader.xrefs.hybrid_xrefs_present:  # pyHanko validates none of these files
        return _format_failure(name, Modifications(
            "unclear", detail="hybrid cross-reference sections (a table and /XRefStm)"),
            reason="hybrid_reference")
    malformed = signed_attributes.problem(embedded.signer_info,
                                          subfilter=str(embedded.sig_object.get("/SubFilter")))
    if malformed is not None:
        log.info("signature %s is malformed: %s", name, malformed)
        return _format_failure(name, Modifications("none" if raw.entire_file else "unclear"))
    weak = algorithms.weak_certificate_reference(embedded.signer_info)
    if weak is not None:  # not malformed, not trustworthy either (EN 319 102-1, 5.2.8)
        log.info("signature %s relies on a weak algorithm: %s", name, weak)
        return _format_failure(name, reason="crypto_constraints_failure",
                               conclusion=subfilters.OBSOLETE_FORMAT)
    certificates = embedded.signed_data["certificates"]
    if len(certificates or ()) > budget.limits.cms_certificates or too_many_dss:
        return _format_failure(name, Modifications("none" if raw.entire_file else "unclear"),
                               reason="too_many_certificates",
                               conclusion=indication.CHAIN_GENERAL_FAILURE)
    later = sorted((ts for ts in stamps if ts.signed_revision > embedded.signed_revision),
                   key=lambda ts: ts.signed_revision)
    not_used = tuple(ts.field_name for ts in later if ts.field_name in unusable_stamps)
    proven: datetime | None
    try:
        modifications = integrity.examined(embedded, signature_fields, raw)
        process = _process(embedded, stamps)
        if process == "lta":
            result = await ades.ades_lta_validation(embedded, spec, timing_info=timing)
            proven, ts_result = result.best_signature_time, result.signature_timestamp_status
            if not indication.from_ades(result.ades_subindic).passed:
                # Document time-stamps only add proofs of existence: a signature that passes
                # on its own is not downgraded by one appended later (e.g. by an untrusted
                # TSA); the report names the time-stamps that could not be used.
                own = await _own_process(embedded, spec, timing)
                if indication.from_ades(own[0].ades_subindic).passed:
                    result, proven, ts_result = own
                else:
                    # Archive time-stamps (EN 319 142-1, PAdES-LTA; EN 319 102-1, 5.6.2.5):
                    # the first document time-stamp after the signature is valid, each one
                    # judged at the time of the next and the newest now; it proves the
                    # signature and its validation data existed at its time: judge the
                    # signature then. (pyHanko's own process lets current CRLs keep its
                    # control time after certificates expired, and fails such documents.)
                    first = (valid_times or {}).get(later[0].field_name) if later else None
                    if first is not None and first < timing.validation_time:
                        then = _at(first)
                        own = await _own_process(embedded, spec, then)
                        if indication.from_ades(own[0].ades_subindic).passed:
                            result, proven, ts_result = own
                            proven = proven or first
                            timing = then
        else:
            result, proven, ts_result = await _own_process(embedded, spec, timing)
    except (BudgetExceeded, UnreadableDocument):
        raise
    except Exception as exc:
        if budget.exceeded:
            raise BudgetExceeded(budget.exceeded) from None
        log.info("signature %s could not be validated: %r", name, exc)
        return _format_failure(name)
    if budget.exceeded:  # pyHanko swallowed the exception raised in path building
        raise BudgetExceeded(budget.exceeded)
    cryptographic = indication.from_ades(result.ades_subindic)
    timestamp = timestamp_info(embedded, ts_result)
    if timestamp is not None and not timestamp.valid and not cryptographic.passed:
        # pyHanko stopped at the signer: the time-stamp's own validity (`signature_timestamp`)
        timestamp = timestamp_info(embedded, await signature_timestamp.judged(
            embedded, spec.signature_validation_spec, timing))
    if timestamp is not None and timestamp.valid:
        cryptographic = indication.check_proven_time(
            cryptographic, proven=proven, not_before=embedded.signer_cert.not_valid_before)
    proven_by_stamp = proven if timestamp is not None and timestamp.valid else None
    cryptographic = indication.check_validity_period(
        cryptographic, proven=proven_by_stamp,
        now=timing.validation_time, not_before=embedded.signer_cert.not_valid_before,
        not_after=embedded.signer_cert.not_valid_after)
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
        proven_by_stamp=proven_by_stamp, not_after=embedded.signer_cert.not_valid_after)
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
                          signature_timestamp_valid=timestamp is not None and timestamp.valid),
        covers_whole_document=modifications.level == "none",
        modifications=modifications, timestamps_not_used=not_used)


def _at(moment: datetime) -> ValidationTimingInfo:
    """Point-in-time validation at `moment` (EN 319 102-1, 5.6.2: past validation)."""
    return ValidationTimingInfo(validation_time=moment, best_signature_time=moment,
                                point_in_time_validation=True)


async def _own_process(embedded: EmbeddedPdfSignature, spec: PdfSignatureValidationSpec,
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


async def _validate_timestamp(data: bytes, embedded: EmbeddedPdfSignature,
                              spec: PdfSignatureValidationSpec,
                              timing: ValidationTimingInfo) -> DocumentTimestampReport:
    name = embedded.field_name
    if not _raw_coverage(data, embedded).ok:
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
