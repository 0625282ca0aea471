"""The signature formats (/SubFilter) this verifier validates, and the obsolete ones it names.

ISO 32000-1, 12.8.3, and ETSI EN 319 142-1: PDF signatures are CMS signatures,
/adbe.pkcs7.detached or (PAdES) /ETSI.CAdES.detached. ISO 32000-2, 12.8.3.3 and 12.8.3.2,
deprecates /adbe.pkcs7.sha1 (a CMS signing the SHA-1 digest of the byte range) and
/adbe.x509.rsa_sha1 (a bare PKCS #1 value, RSA over SHA-1, no CMS): SHA-1 is not collision
resistant, so nothing such a signature signs can be relied on (ETSI TS 119 312). Those are
reported as what they are, INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE (EN 319 102-1, 5.2.8),
without validating them; they are not malformed, nor proof of a forgery. Any other /SubFilter
is a format failure.
"""

from __future__ import annotations

from typing import Any

from pyhanko.sign.ades.report import AdESIndeterminate

from signing.verify.report import Conclusion, Indication

VALIDATED = ("/adbe.pkcs7.detached", "/ETSI.CAdES.detached")
OBSOLETE = ("/adbe.pkcs7.sha1", "/adbe.x509.rsa_sha1")
OBSOLETE_FORMAT = Conclusion(Indication.INDETERMINATE,
                             AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE.name)


def obsolete(sig_object: Any) -> bool:
    """Whether the signature dictionary `sig_object` (or a reference to it) names an
    obsolete SHA-1 format."""
    try:
        return str(sig_object.get_object().get("/SubFilter")) in OBSOLETE
    except (AttributeError, TypeError, ValueError, KeyError):
        return False
