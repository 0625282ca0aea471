"""Validating PDFs in tests with pyHanko, trusting only the test PKI's root and using only the
validation data embedded in the file (no fetching, no context prepared by the service)."""

from __future__ import annotations

import asyncio
import io

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESStatus
from pyhanko.sign.validation import ades
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager


def spec(root) -> PdfSignatureValidationSpec:
    policy = CertValidationPolicySpec(trust_manager=SimpleTrustManager.build(trust_roots=[root]),
                                      revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO))
    return PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=policy,
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)))


def reader(pdf: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(pdf))


def lta(pdf: bytes, root, index: int = 0):
    """ETSI EN 319 102-1 5.6.3 (PAdES LTA) validation of signature `index`."""
    signature = reader(pdf).embedded_regular_signatures[index]
    return asyncio.run(ades.ades_lta_validation(signature, spec(root)))


def passed(result) -> bool:
    return result.ades_subindic.status == AdESStatus.PASSED
