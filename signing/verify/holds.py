"""Certificates on hold (RFC 5280, 5.3.1: certificateHold) and holds lifted.

A hold is temporary: the CA lists the certificate with reason certificateHold, and later
either revokes it for good or lifts the hold, by leaving the entry out of a later complete
CRL of the same scope or by listing it with removeFromCRL (in a delta CRL, or in any later
CRL). The certificate is then not revoked from the time of that CRL: a signature proven to
exist before the hold, or made (judged) after it was lifted, is not affected; one that falls
within the hold is (INDETERMINATE/REVOKED_NO_POE, `indication.check_revocation`).

pyhanko-certvalidator counts any CRL that lists the certificate, whatever came after it: a
certificate whose hold was lifted stayed "revoked" as long as the old CRL was around (in the
DSS, or among this service's evidence). `superseded` tells which CRLs a newer one of the
same issuer and scope replaces in full except for lifted holds; `compromise` keeps those
from pyHanko and judges the hold period itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from asn1crypto import crl as asn1_crl

HOLD = "certificate_hold"
REMOVE = "remove_from_crl"


def is_delta(crl: asn1_crl.CertificateList) -> bool:
    return crl.delta_crl_indicator_value is not None


def _scope(crl: asn1_crl.CertificateList) -> bytes | None:
    point = crl.issuing_distribution_point_value
    return point.dump() if point is not None else None


def this_update(crl: asn1_crl.CertificateList) -> datetime:
    value: datetime = crl["tbs_cert_list"]["this_update"].native
    return value


def entries(crl: asn1_crl.CertificateList) -> dict[int, str | None]:
    """serial -> reason (asn1crypto's name; None without a reason code)."""
    listed: dict[int, str | None] = {}
    for entry in crl["tbs_cert_list"]["revoked_certificates"]:
        reason = entry.crl_reason_value
        listed[entry["user_certificate"].native] = reason.native if reason is not None else None
    return listed


def lifted_at(serial: int, crls: Sequence[asn1_crl.CertificateList],
              good: Sequence[datetime] = ()) -> datetime | None:
    """When the hold on `serial` was lifted, by `crls` (all signed by its issuer): the
    thisUpdate of the first CRL after the last one that holds it which lists it with
    removeFromCRL, or, complete and of the same scope as that one, leaves it out; or of the
    first OCSP answer "good" after it (`good`: their thisUpdate, all genuine). None if it is
    still held (or was never)."""
    holding = [crl for crl in crls if entries(crl).get(serial, REMOVE) == HOLD]
    if not holding:
        return None
    last = max(holding, key=this_update)
    later = [this_update(crl) for crl in crls if this_update(crl) > this_update(last) and (
        entries(crl).get(serial) == REMOVE or (
            serial not in entries(crl) and not is_delta(crl) and _scope(crl) == _scope(last)))]
    later += [when for when in good if when > this_update(last)]
    return min(later, default=None)


def superseded(old: asn1_crl.CertificateList, crls: Iterable[asn1_crl.CertificateList]
               ) -> asn1_crl.CertificateList | None:
    """A CRL of `crls` that replaces `old` (same issuer name and scope, both complete, issued
    later) and differs from it only by holds it lifted; None if there is none. (The caller
    checks that both are signed by the same key.)"""
    if is_delta(old):
        return None
    listed = entries(old)
    for new in crls:
        if new is old or is_delta(new) or this_update(new) <= this_update(old) or \
                new.issuer.dump() != old.issuer.dump() or _scope(new) != _scope(old):
            continue
        now_listed = entries(new)
        lifted = [serial for serial in listed
                  if serial not in now_listed or now_listed[serial] == REMOVE]
        if lifted and all(listed[serial] == HOLD for serial in lifted):
            return new
    return None
