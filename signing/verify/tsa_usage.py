"""What a time-stamping authority's certificate must say to vouch for a time.

RFC 3161, 2.3 (kept by RFC 5816 and the ETSI time-stamp profile): the TSA's certificate "MUST contain
only one instance of the extended key usage field extension ... with KeyPurposeID having value
id-kp-timeStamping. This extension MUST be critical." OpenSSL's `ts` checks it so
(`check_purpose_timestamp_sign`). pyHanko asks only that timeStamping be among the purposes
(`TimestampSignatureStatus.default_usage_constraints`, which its time-stamp validation builds
itself, with no way to pass others): a certificate issued for other purposes too (code signing,
document signing, a web server) with timeStamping added, or one whose extension is not critical
(so that software that does not know it may use the key for anything), proved times here.

`install` makes pyHanko's time-stamp validation use `TsaKeyUsage`, which adds these two rules;
a certificate that breaks them fails the time-stamp as a missing purpose does
(INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE): the time it states is not proven.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from asn1crypto import x509
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator.errors import InvalidCertificateError

TIME_STAMPING = "time_stamping"


def problem(certificate: x509.Certificate) -> str | None:
    """What keeps `certificate` from being a TSA's certificate under RFC 3161, 2.3, or None."""
    found = [extension for extension in certificate["tbs_certificate"]["extensions"] or ()
             if extension["extn_id"].native == "extended_key_usage"]
    if len(found) != 1:
        return f"the certificate has {len(found)} extended key usage extensions, not one"
    extension = found[0]
    purposes = [purpose.native for purpose in extension["extn_value"].parsed]
    if purposes != [TIME_STAMPING]:
        return "the extended key usage of a time-stamping authority names timeStamping " \
               f"only, not {', '.join(str(p) for p in purposes)}"
    if not extension["critical"].native:
        return "the time-stamping authority's extended key usage extension is not critical"
    return None


class TsaKeyUsage(KeyUsageConstraints):
    """pyHanko's constraints on a TSA's certificate plus RFC 3161, 2.3 (`problem`)."""

    def validate(self, cert: x509.Certificate,
                 extra_asserted_key_usages: Iterable[str] = (),
                 extra_asserted_extd_key_usages: Iterable[str] = ()) -> None:
        super().validate(cert, extra_asserted_key_usages, extra_asserted_extd_key_usages)
        found = problem(cert)
        if found is not None:
            raise InvalidCertificateError(found)


def _constraints(cls: Any, key_usage_settings: KeyUsageConstraints | None = None
                 ) -> KeyUsageConstraints:
    usual = _PYHANKO(cls, key_usage_settings)
    return TsaKeyUsage(key_usage=usual.key_usage, extd_key_usage=usual.extd_key_usage)


_PYHANKO: Any = TimestampSignatureStatus.default_usage_constraints.__func__  # type: ignore[attr-defined]


def install() -> None:
    """Make pyHanko judge every TSA certificate with `TsaKeyUsage`. Idempotent."""
    TimestampSignatureStatus.default_usage_constraints = classmethod(  # type: ignore[method-assign,assignment]
        _constraints)
