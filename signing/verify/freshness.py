"""Revocation freshness: only status information issued after the signature's proof of
existence shows that the signer's certificate was not revoked then (ETSI EN 319 102-1,
5.2.5.4 and 5.2.6; the "time after signature" freshness of ETSI TS 119 172-3).

pyHanko's default freshness (`FreshnessReqType.DEFAULT`) accepts a CRL or OCSP response
whenever the validation time falls between its thisUpdate and nextUpdate. A signer whose
certificate was revoked at R, who signs after R and appends to the DSS the CA's own genuine
CRL from before R (still within its nextUpdate), would pass. So a signature whose time is
proven by a time-stamp (the best signature time) is checked once more here: the signer's
certificate must have a genuine CRL or OCSP response, from the document or this service's
own evidence (or fetched, when `[verify] fetch_revocation` is on), issued at or after that
time (`FreshnessReqType.TIME_AFTER_SIGNATURE` with no cooldown).

Signatures under this service's own root get the same rule. Its own seals and citizens'
signatures (B-LT and B-LTA) carry in their DSS an OCSP response produced at or after their
signature time-stamp, in a revision after the signed one (`signing.pades`). Those sealed before
2026-12 carry only data from before it (the DSS in the signed revision,
`signing.pades.DSS_SETTINGS`), and B-T seals none: they pass on this service's own current
CRLs, always part of the evidence (`Evidence.crls`), once one was issued after their
time-stamp, and otherwise on the answer of this service's own OCSP responder, asked at
verification time about a certificate of its own issuing CA (`Evidence.own_status`; the CA
says now whether it revoked the certificate since). A verifier without those (anyone else's)
says INDETERMINATE/TRY_LATER, as for anyone's signature.

Only the signer's certificate is checked this way; the CA certificates above it keep the
default rule (a root's CRL is issued rarely and long before most signatures).
A signature without a time-stamp has no proof of existence before the validation time; its
revocation data is judged by the default rule (the CA's current CRL or OCSP response).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    SignatureValidationSpec,
    bootstrap_validation_data_handlers,
)
from pyhanko_certvalidator.errors import InsufficientRevinfoError, RevokedError
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    FreshnessReqType,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.validate import async_validate_path

from signing.verify.budget import BudgetExceeded

# The signer's certificate needs status information; its CAs are left to the first pass.
SIGNER_ONLY = RevocationCheckingPolicy(
    ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
    intermediate_ca_cert_rule=RevocationCheckingRule.NO_CHECK)
AFTER_SIGNATURE = CertRevTrustPolicy(
    SIGNER_ONLY, freshness=timedelta(0),
    freshness_req_type=FreshnessReqType.TIME_AFTER_SIGNATURE)


async def fresh_after(spec: SignatureValidationSpec, knowledge: LocalKnowledge,
                      path: ValidationPath, *, proven: datetime, at: datetime) -> bool:
    """Whether the signer's certificate (the leaf of `path`) has genuine revocation
    information issued at or after `proven` (less pyHanko's one-second tolerance), validating
    `path` at `at` (and not revoked by it). Any other failure of the path is the first pass's
    to judge (True)."""
    policy = replace(spec.cert_validation_policy, revinfo_policy=AFTER_SIGNATURE)
    timing = ValidationTimingInfo(validation_time=at, best_signature_time=proven,
                                  point_in_time_validation=False)
    checked = replace(spec, cert_validation_policy=policy, local_knowledge=knowledge)
    handlers = bootstrap_validation_data_handlers(checked, timing)
    context = policy.build_validation_context(timing_info=timing, handlers=handlers)
    try:
        await async_validate_path(context, path)
    except (InsufficientRevinfoError, RevokedError):
        return False
    except BudgetExceeded:
        raise
    except Exception:  # not a freshness question: the first pass judged it
        return True
    return True
