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

This module runs a verification (time budget, worker thread) and walks the document's
signatures; each signature is validated by `signature_validation`, the document time-stamps
by `document_timestamps`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
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
from pyhanko_certvalidator.revinfo.archival import CRLContainer

from keys.x509 import SIGNING_PURPOSES
from signing import pdf_parsing
from signing.verify import (
    active_content,
    algorithms,
    document_timestamps,
    indication,
    reverse_refs,
    roles,
    subfilters,
    tsa_usage,
)
from signing.verify import budget as budgets
from signing.verify.budget import Budget, BudgetExceeded, Limits
from signing.verify.differences import DIFF_POLICY, dss_entries, only_validation_data
from signing.verify.errors import UnreadableDocument
from signing.verify.field_locks import LockedFieldsSignature
from signing.verify.reading import read_pdf
from signing.verify.report import (
    DocumentTimestampReport,
    SignatureReport,
    VerificationReport,
)
from signing.verify.roles import Expectations
from signing.verify.shown import shown
from signing.verify.signature_validation import (
    OwnStatus,
    format_failure,
    raw_coverage,
    validate_signature,
)
from signing.verify.trust import TrustAnchors, TrustStore

if TYPE_CHECKING:  # `cedula verify` imports no Flask (infra.outbound) unless it fetches
    from pyhanko_certvalidator.fetchers import FetcherBackend

    from infra.outbound import Outbound

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
                 expectations: Expectations | None = None, outbound: Outbound | None = None) -> None:
        """`outbound`: the guarded client revocation information is fetched through when
        `fetch_revocation` is on (default: one that reaches public https addresses only)."""
        self.trust = trust
        self.expectations = expectations or Expectations()
        self.evidence = evidence
        self.clock = clock
        self.max_bytes = max_bytes
        self.fetch_revocation = fetch_revocation
        self.outbound = outbound
        if fetch_revocation and outbound is None:
            from signing.verify.revocation_fetching import default_client

            self.outbound = default_client()
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
        signatures, timestamps, signed_ends, covered, active, validation_data = outcome["result"]
        return VerificationReport(
            conclusion=indication.overall([s.conclusion for s in signatures]),
            validated_at=now, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
            signatures=tuple(signatures), document_timestamps=tuple(timestamps),
            signed_ends=signed_ends, active_content=active.kinds,
            hidden_layers=active.hidden_layers,
            unsigned_additions=bool(data[covered:].strip(b"\x00\t\n\x0c\r ")) if covered else False,
            validation_data_only=validation_data)

    def _fetchers(self) -> FetcherBackend | None:
        """One verification's fetchers (`[verify] fetch_revocation`): one request budget and
        one cache for all the validations of its signatures and time-stamps."""
        if not self.fetch_revocation or self.outbound is None:
            return None
        from signing.verify.revocation_fetching import GuardedFetcherBackend

        return GuardedFetcherBackend(self.outbound)

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
                    online_fetching_rule=rule, fetcher_backend=self._fetchers(),
                    certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH),
                local_knowledge=knowledge,
                key_usage_settings=SIGNER_KEY_USAGE),
            diff_policy=DIFF_POLICY)


async def _validate_all(data: bytes, reader: PdfFileReader, spec: PdfSignatureValidationSpec,
                        timing: ValidationTimingInfo, budget: Budget, context: _Context
                        ) -> tuple[list[SignatureReport], list[DocumentTimestampReport],
                                   tuple[int, ...], int, active_content.Findings, bool]:
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
            broken.append(format_failure(name, reason="obsolete_format",
                                         conclusion=subfilters.OBSOLETE_FORMAT))
            continue
        embedded: EmbeddedPdfSignature
        try:
            embedded = LockedFieldsSignature(reader, sig_field, name)
            kind = embedded.sig_object_type
            embedded.signer_cert  # noqa: B018 - a CMS without its signer's certificate fails here
        except Exception as exc:
            log.debug("unreadable signature %s", name, exc_info=exc)
            broken.append(format_failure(name, reason="format_failure"))
            continue
        (stamps if kind == "/DocTimeStamp" else regular).append(embedded)
    regular.sort(key=lambda e: e.signed_revision)
    signature_fields = {e.field_name for e in regular}
    too_many_dss = dss_entries(reader) > budget.limits.dss_entries
    ordered = sorted(stamps, key=lambda e: e.signed_revision)
    stamp_reports = await document_timestamps.judged(data, ordered, spec, timing, budget)
    unusable = frozenset(r.field for r in stamp_reports if not r.valid)
    valid_times = {r.field: r.time for r in stamp_reports if r.valid}
    reports: list[SignatureReport] = []
    for embedded in regular:
        budget.check()
        signed = await validate_signature(data, embedded, spec, timing, stamps,
                                          signature_fields, budget, too_many_dss, unusable,
                                          valid_times, context.own_status)
        reports.append(roles.with_role(signed, embedded, data, own_roots=context.own_roots,
                                       expected=context.expectations))
    ends = [raw_coverage(data, embedded) for embedded in regular + ordered]
    signed_ends = tuple(sorted({raw.signed_end for raw in ends if raw.ok}))
    # what a signature or a valid document time-stamp signs: one nobody can validate vouches
    # for nothing, so what it alone covers counts as added unsigned (`unsigned_additions`)
    vouching = ends[:len(regular)] + [raw for raw, report in zip(ends[len(regular):],
                                                                stamp_reports, strict=True)
                                      if report.valid]
    covered = max((raw.signed_end for raw in vouching if raw.ok), default=0)
    # what follows the last signed byte, when a signature signs it: only validation data (a
    # DSS, as a PAdES B-LT signature adds in a revision of its own) is a permitted addition,
    # said as such (`differences.only_validation_data`)
    validation_data = any(raw.ok and raw.signed_end == covered
                          and only_validation_data(embedded, report.modifications)
                          for raw, embedded, report in zip(ends[:len(regular)], regular,
                                                           reports, strict=True))
    return ([_shown_fields(r) for r in broken + reports],
            [replace(r, field=shown(r.field)) for r in stamp_reports], signed_ends, covered,
            active_content.examined(reader), validation_data)


def _shown_fields(report: SignatureReport) -> SignatureReport:
    """The report with its field names as shown (`shown`), once nothing compares them."""
    return replace(report, field=shown(report.field),
                   timestamps_not_used=tuple(shown(f) for f in report.timestamps_not_used))
