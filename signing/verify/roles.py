"""Who signed as what: a signature under this service's own root is read against its
certificate policies (`keys.policies`: the role and the level of assurance), and a citizen's
signature against the passkey approval inside it (`signing.verify.approval`) and the level
this deployment requires (`Expectations`). Another CA's policies are not ours to interpret.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from signing.verify import indication
from signing.verify.report import Conclusion, Indication, SignatureReport


@dataclass(frozen=True)
class Expectations:
    """What this deployment expects of its own signatures: passkey approvals made for its
    WebAuthn origin and RP ID, and citizens' certificates at least `minimum_level`."""

    origin: str = ""
    rp_id: str = ""
    minimum_level: str = "substantial"




def with_role(report: SignatureReport, embedded: EmbeddedPdfSignature, data: bytes, *,
              own_roots: frozenset[bytes], expected: Expectations) -> SignatureReport:
    """Who signed as what, at which level (own PKI's certificate policies, keys.policies),
    and for citizens' signatures the passkey approval inside them (`signing.approval`)."""
    from keys.policies import LEVELS, role_and_level
    from signing.verify import approval as approvals

    if report.trust_anchor is None or \
            bytes.fromhex(report.trust_anchor.sha256) not in own_roots:
        return report  # another CA's policies are not ours to interpret
    signer = embedded.signer_cert
    policy_ext = signer.certificate_policies_value
    oids = {p["policy_identifier"].dotted for p in policy_ext} if policy_ext else set()
    signed_as, level = role_and_level(oids)
    report = replace(report, signed_as=signed_as, assurance_level=level)
    if signed_as != "citizen_signature":
        return report
    checked = approvals.check(
        signed_attrs=embedded.signer_info["signed_attrs"], data=data,
        first_range_end=embedded.byte_range[1],
        signed_end=embedded.byte_range[2] + embedded.byte_range[3],
        origin=expected.origin, rp_id=expected.rp_id)
    report = replace(report, approval=checked)
    if checked.status == "failed":
        failed = Conclusion(Indication.TOTAL_FAILED, checked.failure)
        return replace(report, conclusion=report.conclusion.worst(failed),
                       reason="approval_failed" if report.conclusion.passed else report.reason)
    problem = None
    if checked.status == "absent":
        problem = "no_approval"
    elif level is None or LEVELS.index(level) < LEVELS.index(expected.minimum_level):
        problem = "below_minimum_level"
    if problem is not None and report.conclusion.indication is not Indication.TOTAL_FAILED:
        return replace(report, conclusion=report.conclusion.worst(
            indication.SIG_CONSTRAINTS_FAILURE), reason=problem)
    return report
