"""The document PKI: root CA, issuing CA, time-stamping and OCSP responder certificates,
seal and citizen certificates, revocation (RFC 5280 profiles).

`Pki` puts its parts together, each in a module named after its concept: `keys.pki_material`
(the parsed certificates), `keys.pki_core` (loading and issuing one certificate),
`keys.issuing_ca` (creation, renewal), `keys.service_certificates` (TSA, OCSP responder),
`keys.end_entities` (seal and citizen certificates), `keys.pki_revocation` and
`keys.crl_publication`. CA material is parsed once per process and refreshed through the "pki"
generation counter.
"""

from __future__ import annotations

from keys.end_entities import EndEntityIssuance
from keys.issuing_ca import IssuingCaLifecycle
from keys.pki_material import (
    CA_NAMES,
    GENERATION,
    REVOCATION,
    SERVICE_NAMES,
    Authority,
    CertificateStatus,
    IssuedCertificate,
    PkiMaterial,
    distribution_url,
)
from keys.pki_revocation import Revocation


class Pki(IssuingCaLifecycle, EndEntityIssuance, Revocation):
    """The document PKI of one deployment (`keys.service.KeyService.pki`)."""


__all__ = ["CA_NAMES", "GENERATION", "REVOCATION", "SERVICE_NAMES", "Authority", "CertificateStatus",
           "IssuedCertificate", "Pki", "PkiMaterial", "distribution_url"]
