"""A signature time-stamp (RFC 3161 Appendix A) judged on its own (EN 319 102-1, 5.4).

pyHanko's validation with time (5.5) judges the signature time-stamp only after the signer's
certificate: a signer nobody trusts stops it before, and its result says nothing of the
time-stamp. The report showed a time-stamp of a trusted authority as not valid. `judged`
validates the token alone (its signature, its authority's chain, its imprint over the
signature value), for the report to say what the time-stamp is; the signer's verdict stays.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pyhanko.sign.validation import ades, generic_cms
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import SignatureValidationSpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo

from signing.verify.differences import dss_knowledge


async def judged(embedded: EmbeddedPdfSignature, spec: SignatureValidationSpec,
                 timing: ValidationTimingInfo) -> Any | None:
    """The first signature time-stamp's own validation result, or None if it has none."""
    tokens = list(generic_cms.extract_tst_data_iter(embedded.signer_info, signed=False))
    if not tokens:
        return None
    knowledge = dss_knowledge(embedded.reader, spec.local_knowledge)
    return await ades.ades_timestamp_validation(
        tokens[0], replace(spec, local_knowledge=knowledge),
        generic_cms.message_imprint_checker(embedded.signer_info), timing_info=timing)
