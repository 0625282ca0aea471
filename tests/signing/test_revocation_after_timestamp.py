"""Our own seals and signatures carry status information issued after their time-stamp.

A strict verifier (ETSI EN 319 102-1, 5.2.5.4: revocation data issued after the best
signature time; pyHanko's `FreshnessReqType.TIME_AFTER_SIGNATURE`) must reach PASSED with
only the document's DSS: nothing fetched, nothing from this service, the best signature time
being the signature time-stamp's genTime. The signer's
certificate (and the time-stamp authority's, judged by the same rule) must have an OCSP
response or CRL issued at or after the signature time-stamp's genTime. The CA certificates
keep the default rule: the root's CRL is issued offline for months, long before any
signature, by design (`keys.pki.Pki.crl`); the default rule with status information required
for the whole chain (`hard_fail`) must pass too.
"""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from pyhanko.sign.ades.report import AdESStatus
from pyhanko.sign.validation import ades
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import (
    REQUIRE_REVINFO,
    CertRevTrustPolicy,
    FreshnessReqType,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

from signing.pades import SignatureField
from tests.signing.test_pades import _field, _rendered, _root
from tests.signing.validation import passed, reader
from tests.support.parts import require_executable

# The signer's certificate needs status information issued at or after the signature's
# time-stamp (no cooldown); pyHanko judges the time-stamp's TSA certificate the same way.
AFTER_SIGNATURE = CertRevTrustPolicy(
    RevocationCheckingPolicy(ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
                             intermediate_ca_cert_rule=RevocationCheckingRule.NO_CHECK),
    freshness=timedelta(0), freshness_req_type=FreshnessReqType.TIME_AFTER_SIGNATURE)


def _spec(root, revinfo_policy: CertRevTrustPolicy, knowledge: LocalKnowledge | None = None
          ) -> SignatureValidationSpec:
    policy = CertValidationPolicySpec(trust_manager=SimpleTrustManager.build(trust_roots=[root]),
                                      revinfo_policy=revinfo_policy)
    return SignatureValidationSpec(
        cert_validation_policy=policy, local_knowledge=knowledge or LocalKnowledge(),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY))


def timestamp_time(embedded) -> datetime:
    """genTime of the signature time-stamp (the best signature time)."""
    for attr in embedded.signer_info["unsigned_attrs"]:
        if attr["type"].native == "signature_time_stamp_token":
            token = attr["values"][0]
            return token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    raise AssertionError("no signature time-stamp")


def dss_knowledge(r) -> LocalKnowledge:
    """What the document's DSS holds, as a verifier's local knowledge."""
    dss = DocumentSecurityStore.read_dss(r)
    return LocalKnowledge(
        known_ocsps=[c for ref in dss.ocsps for c in OCSPContainer.load_multi(
            asn1_ocsp.OCSPResponse.load(ref.get_object().data))],
        known_crls=[CRLContainer(asn1_crl.CertificateList.load(ref.get_object().data))
                    for ref in dss.crls],
        known_certs=list(dss.load_certs()))


def validate(pdf: bytes, root, index: int = 0, *, policy: CertRevTrustPolicy = AFTER_SIGNATURE,
             later: timedelta = timedelta(0), archival: bool = False):
    """Signature `index` validated `later` after its time-stamp, knowing only the document's
    DSS, by EN 319 102-1's process for signatures with time and long-term validation
    material (5.5); with `archival`, by the process for long-term availability (5.6.3,
    pyHanko's `ades_lta_validation`, which reads the DSS itself and proves it existed with
    the document time-stamps). (pyHanko's past certificate validation slides its control time
    back to the status information's issuance, where a time-after-signature rule leaves no
    proof of existence for it: that process is for the default rule only.)"""
    r = reader(pdf)
    embedded = r.embedded_regular_signatures[index]
    best = timestamp_time(embedded)
    timing = ValidationTimingInfo(validation_time=datetime.now(UTC) + later,
                                  best_signature_time=best, point_in_time_validation=False)
    if archival:
        spec = PdfSignatureValidationSpec(_spec(root, policy))
        return asyncio.run(ades.ades_lta_validation(embedded, spec, timing_info=timing))
    return asyncio.run(ades.ades_with_time_validation(
        embedded.signed_data, _spec(root, policy, dss_knowledge(r)), timing_info=timing,
        raw_digest=embedded.compute_digest()))


def strict(pdf: bytes, root, index: int = 0, *, later: timedelta = timedelta(0)):
    """As a verifier wanting status information issued after the signature time-stamp."""
    return validate(pdf, root, index, later=later)


def hard_fail(pdf: bytes, root, index: int = 0):
    """The default freshness, status information required for the whole chain; by the
    long-term availability process when a document time-stamp follows the signature."""
    r = reader(pdf)
    signed = r.embedded_regular_signatures[index].signed_revision
    archival = any(ts.signed_revision > signed for ts in r.embedded_timestamp_signatures)
    return validate(pdf, root, index, policy=CertRevTrustPolicy(REQUIRE_REVINFO),
                    archival=archival)


@pytest.fixture
def warm(documents):
    """A sealer that made a document before (at least a second ago, to the second as genTime
    and producedAt are): what production has. The revocation data it keeps
    (`documents.cache_seconds`) and the OCSP responses the responder reuses
    (`ocsp.cache_seconds`) are from then."""
    rendered = _rendered()
    documents.sealer.seal(rendered.pdf, client_id="registro-civil", level="B-LTA",
                          field=_field(rendered))
    time.sleep(1.1)
    return documents


def dss_ocsp_times(pdf: bytes) -> list[datetime]:
    dss = DocumentSecurityStore.read_dss(reader(pdf))
    return [asn1_ocsp.OCSPResponse.load(ref.get_object().data).basic_ocsp_response
            ["tbs_response_data"]["produced_at"].native for ref in dss.ocsps]


def pdfsig(pdf: bytes, tmp_path) -> list[str]:
    """pdfsig's report, one block per signature."""
    command = require_executable("pdfsig", "apt-get install poppler-utils")
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([command, str(path)], capture_output=True, text=True,
                         check=False, timeout=300).stdout
    return re.split(r"^Signature #\d+:$", out, flags=re.M)[1:]


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_seal_passes_a_verifier_wanting_status_issued_after_the_timestamp(warm, level,
                                                                          tmp_path):
    documents = warm
    rendered = _rendered()
    pdf = documents.sealer.seal(rendered.pdf, client_id="registro-civil", level=level,
                                field=_field(rendered)).pdf
    root = _root(documents)
    embedded = reader(pdf).embedded_regular_signatures[0]
    stamped = timestamp_time(embedded)
    assert any(t >= stamped for t in dss_ocsp_times(pdf)), (stamped, dss_ocsp_times(pdf))
    result = strict(pdf, root)
    assert passed(result), result.failure_msg or result.ades_subindic
    assert passed(hard_fail(pdf, root))  # the default rule, the whole chain
    # and later (the OCSP response's nextUpdate long past): still there, still after
    assert passed(strict(pdf, root, later=timedelta(days=3)))

    blocks = pdfsig(pdf, tmp_path)
    assert "Signature Validation: Signature is Valid." in blocks[0], blocks[0]
    assert "Signature Field Name: Seal" in blocks[0]
    if level == "B-LTA":
        assert len(blocks) == 2
        # (pdfsig does not verify document time-stamps: "not yet been verified")
        assert "Total document signed" in blocks[1] and "Not total" not in blocks[1], blocks[1]


def test_validation_data_is_in_a_revision_after_the_signature(documents):
    """The signed revision has no DSS (its data would predate the time-stamp); at B-LTA the
    document time-stamp covers the DSS revision, and is the last revision."""
    rendered = _rendered()
    pdf = documents.sealer.seal(rendered.pdf, client_id="registro-civil", level="B-LTA",
                                field=_field(rendered)).pdf
    r = reader(pdf)
    seal, stamp = r.embedded_signatures
    signed = r.get_historical_resolver(seal.signed_revision)
    assert "/DSS" not in signed.root
    assert "/DSS" in r.get_historical_resolver(stamp.signed_revision).root
    assert stamp.signed_revision == r.xrefs.total_revisions - 1
    assert stamp.byte_range[2] + stamp.byte_range[3] == len(pdf)


def test_citizen_signature_passes_a_verifier_wanting_status_issued_after_the_timestamp(
        warm, citizen, tmp_path):
    documents = warm
    from signing.citizen_signature import sign
    from tests.signing.test_citizen_signature import approval_for
    from tests.signing.verify.samples import blank_pdf

    pdf = blank_pdf()
    signed = sign(documents, citizen=citizen, pdf=pdf, approval=approval_for(pdf),
                  file_name="contrato.pdf")
    assert signed.level == "B-LT"
    data = documents.store.read(signed.sha256)
    root = _root(documents)
    result = strict(data, root)
    assert passed(result), result.failure_msg or result.ades_subindic
    assert passed(hard_fail(data, root))
    assert "Signature Validation: Signature is Valid." in pdfsig(data, tmp_path)[0]


def test_second_signature_keeps_the_first_verifiable(warm):
    """Another signature on a sealed B-LTA document: both pass the strict verifier."""
    documents = warm
    rendered = _rendered()
    sealed = documents.sealer.seal(rendered.pdf, client_id="registro-civil", level="B-LTA",
                                   field=_field(rendered)).pdf
    signer = documents.sealer.seal_signer("registro-civil")
    again = documents.sealer.sign(sealed, signer=signer, level="B-LT",
                                  field=SignatureField(name="Second", description="Second")).pdf
    root = _root(documents)
    for index in (0, 1):
        result = strict(again, root, index)
        assert passed(result), (index, result.failure_msg or result.ades_subindic)


def test_revoked_seal_certificate_signs_nothing(documents):
    from signing.pades import SealError

    signer = documents.sealer.seal_signer("registro-civil")
    documents.keys.pki.revoke(serial=f"{signer.signing_cert.serial_number:x}",
                              reason="keyCompromise", now=documents.keys.now())
    rendered = _rendered()
    with pytest.raises(SealError):
        documents.sealer.sign(rendered.pdf, signer=signer, level="B-LT",
                              field=_field(rendered))


def test_revocation_after_the_check_before_signing_still_signs_nothing(documents, monkeypatch):
    """Revoked after the pre-signing check read its (kept) status: the status made after the
    time-stamp says so, and no document comes out. (The kept data is what the check used: the
    sealer's generation check is switched off to stand for the race.)"""
    from signing.pades import SealError

    rendered = _rendered()
    documents.sealer.seal(rendered.pdf, client_id="registro-civil", level="B-LT",
                          field=_field(rendered))  # keeps good status for the certificate
    signer = documents.sealer.seal_signer("registro-civil")
    monkeypatch.setattr(documents.sealer, "_fresh", lambda: None)
    documents.keys.pki.revoke(serial=f"{signer.signing_cert.serial_number:x}",
                              reason="keyCompromise", now=documents.keys.now())
    with pytest.raises(SealError, match="revoked"):
        documents.sealer.seal(rendered.pdf, client_id="registro-civil", level="B-LT",
                              field=_field(rendered))


def test_result_is_pdf_readable_incrementally(documents):
    rendered = _rendered()
    pdf = documents.sealer.seal(rendered.pdf, client_id="registro-civil", level="B-LT",
                                field=_field(rendered)).pdf
    assert pdf.startswith(rendered.pdf)  # only appended to
    assert io.BytesIO(pdf).getvalue().rstrip().endswith(b"%%EOF")
    assert hard_fail(pdf, _root(documents)).ades_subindic.status == AdESStatus.PASSED


def test_archive_time_stamp_keeps_the_level_and_the_later_status(warm, pki_app):
    """`signing.archive.timestamp_again` on a seal of the new layout: the verifier still
    reports B-LTA and passes it, and so does the strict verifier on the DSS."""
    from signing import archive
    from signing.verify.service import get_verification

    documents = warm
    rendered = _rendered()
    pdf = documents.sealer.seal(rendered.pdf, client_id="registro-civil", level="B-LTA",
                                field=_field(rendered)).pdf
    verifier = get_verification(pki_app)
    before = verifier.verify(pdf).signatures[0]
    assert (before.level, before.conclusion.passed) == ("B-LTA", True), before
    renewed = archive.timestamp_again(documents, pdf)
    assert renewed.startswith(pdf)
    report = verifier.verify(renewed)
    assert report.conclusion.passed, report.signatures[0]
    assert report.signatures[0].level == "B-LTA"
    assert len(report.document_timestamps) == 2
    assert all(t.valid for t in report.document_timestamps)
    assert passed(strict(renewed, _root(documents)))
    assert passed(hard_fail(renewed, _root(documents)))


def test_levels_reported_for_each_level(warm, pki_app):
    from signing.verify.service import get_verification

    documents = warm
    rendered = _rendered()
    verifier = get_verification(pki_app)
    for level in ("B-B", "B-T", "B-LT", "B-LTA"):
        pdf = documents.sealer.seal(rendered.pdf, client_id="registro-civil", level=level,
                                    field=_field(rendered)).pdf
        assert verifier.verify(pdf).signatures[0].level == level
