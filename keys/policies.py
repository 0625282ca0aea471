"""Object identifiers of Cédula's document PKI: certificate policies and CMS attributes.

Cédula's own arc is a UUID OID (ITU-T X.667, Rec. X.667 | ISO/IEC 9834-8: 2.25.<UUID as an
integer>), which needs no registration and cannot collide:

    2.25.256928022816891110522021283324737086830          (c14a898a-7ee2-4282-b11a-59ff883fe56e)
      .1  certificate policies (RFC 5280, 4.2.1.4), docs/assurance.md
        .1.1  citizen signature, level of assurance low
        .1.2  citizen signature, level of assurance substantial
        .1.3  citizen signature, level of assurance high
        .1.10 agency electronic seal (the agency's identity checked by an operator: high)
      .2  CMS attributes (RFC 5652, 5.3), docs/signatures.md
        .2.1  passkey approval: the WebAuthn assertion by which the citizen approved the
              document, a signed attribute of the citizen's PAdES signature

Known limit: RFC 5280, Appendix B asks implementations to handle OID components below 2^28 only,
and CAs SHOULD NOT issue OIDs beyond that; this arc's 128-bit component is refused by pkilint,
Botan and older Go and pyca/cryptography (tests/interop/test_pkilint.py, a strict xfail). A
registered arc (an IANA PEN 1.3.6.1.4.1.<n>, or the country's 2.16.222.x) clears it; moving to
one changes the OIDs of new certificates, and `role_and_level` must then read both arcs so that
documents already signed keep their role and level.

Every end-entity certificate also names the ETSI EN 319 411-1 policy it follows, NCP
(0.4.0.2042.1.1, "normalized certificate policy"), which the ETSI profile linters expect.
"""

from __future__ import annotations

ARC = "2.25.256928022816891110522021283324737086830"
POLICY_ARC = f"{ARC}.1"
CITIZEN_POLICIES = {
    "low": f"{POLICY_ARC}.1.1",
    "substantial": f"{POLICY_ARC}.1.2",
    "high": f"{POLICY_ARC}.1.3",
}
SEAL_POLICY = f"{POLICY_ARC}.1.10"
SEAL_LEVEL = "high"
ETSI_NCP = "0.4.0.2042.1.1"  # ETSI EN 319 411-1, 5.3
PASSKEY_APPROVAL = f"{ARC}.2.1"
LEVELS = ("low", "substantial", "high")


def role_and_level(policy_oids: set[str]) -> tuple[str | None, str | None]:
    """("agency_seal" | "citizen_signature" | None, level) from a certificate's policies."""
    if SEAL_POLICY in policy_oids:
        return "agency_seal", SEAL_LEVEL
    for level in reversed(LEVELS):
        if CITIZEN_POLICIES[level] in policy_oids:
            return "citizen_signature", level
    return None, None
