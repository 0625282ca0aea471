"""What an android-key attestation proves about where its key lives (W3C WebAuthn Level 3,
section 8.4; Android Keystore key attestation, the KeyDescription extension).

An android-key statement carries no AAGUID of its own: the certificate chains to Google's
hardware attestation root (or a root the metadata lists) for any key an Android device's
Keystore made, whatever app asked for it, while the AAGUID in authenticatorData is only what
the client claims. py_webauthn checks the challenge, origin and purpose in teeEnforced and
that allApplications is absent, but not that the key and its attestation are in secure
hardware, nor that its use needs the user: an app's key in a software Keystore, or one usable
without user authentication, would then claim a listed model (and its level, its fingerprint
in the amr). The claimed model is proven only when `hardware_bound` holds for x5c[0].
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from pyasn1.codec.der.decoder import decode as der_decode  # type: ignore[import-untyped]
from pyasn1.error import PyAsn1Error  # type: ignore[import-untyped]
from webauthn.helpers.asn1.android_key import KeyDescription, KeyOrigin, KeyPurpose

KEY_DESCRIPTION = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.1.17")
# SecurityLevel: Software (0), TrustedEnvironment (1), StrongBox (2).
_HARDWARE = (1, 2)


def _present(authorizations: Any, name: str) -> bool:
    return bool(authorizations[name].hasValue())


def hardware_bound(certificate_der: bytes) -> bool:
    """The attestation certificate's KeyDescription says: attested and kept by secure hardware
    (attestationSecurityLevel and keymasterSecurityLevel TrustedEnvironment or StrongBox), key
    generated there (origin GENERATED in teeEnforced), for signing only (purpose exactly
    SIGN in teeEnforced), scoped to one app (allApplications in neither list), and usable
    only after the user authenticates, enforced by that hardware (noAuthRequired in neither
    list, userAuthType, when present, in teeEnforced). False when the extension is missing
    or unreadable."""
    try:
        cert = x509.load_der_x509_certificate(certificate_der)
        raw = cert.extensions.get_extension_for_oid(KEY_DESCRIPTION).value
        data = getattr(raw, "value", b"")
        description, rest = der_decode(data, asn1Spec=KeyDescription())
    except (ValueError, x509.ExtensionNotFound, PyAsn1Error):
        return False
    if rest:
        return False
    try:
        levels = (int(description["attestationSecurityLevel"]),
                  int(description["keymasterSecurityLevel"]))
        software, tee = description["softwareEnforced"], description["teeEnforced"]
        if any(level not in _HARDWARE for level in levels):
            return False
        if not _present(tee, "origin") or int(tee["origin"]) != KeyOrigin.GENERATED.value:
            return False
        if not _present(tee, "purpose") or [int(p) for p in tee["purpose"]] != [KeyPurpose.SIGN.value]:
            return False
        if _present(software, "purpose") and any(int(p) != KeyPurpose.SIGN.value
                                                 for p in software["purpose"]):
            return False  # section 8.4 reads the union of both lists: SIGN only
        if _present(software, "allApplications") or _present(tee, "allApplications"):
            return False
        if _present(software, "noAuthRequired") or _present(tee, "noAuthRequired"):
            return False
        return not (_present(software, "userAuthType") and not _present(tee, "userAuthType"))
    except (PyAsn1Error, TypeError, ValueError):
        return False


__all__ = ["KEY_DESCRIPTION", "hardware_bound"]
