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
from pyHanko and judges the hold periods itself (`periods`: every one of them, a hold placed
again after it was lifted does not hide the first).
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


def periods(serial: int, crls: Sequence[asn1_crl.CertificateList],
            good: Sequence[datetime] = ()) -> list[tuple[asn1_crl.CertificateList, datetime | None]]:
    """Each hold on `serial`, oldest first, from `crls` (all signed by its issuer) read in the
    order they were issued: the first CRL of the hold (its entry's revocationDate is when it
    was placed) and when it was lifted, or None if it still is held. A hold is lifted by the
    first later CRL that lists the certificate with removeFromCRL or, complete and of the
    same scope as the hold's newest CRL, leaves it out; or by the first OCSP answer "good" after
    it (`good`: their thisUpdate, all genuine). A later CRL that holds it again opens a new
    hold: a hold placed, lifted and placed again is two, and each one bears on the signatures
    made within it (not only the newest)."""
    found: list[tuple[asn1_crl.CertificateList, datetime | None]] = []
    holding: list[asn1_crl.CertificateList] = []
    for crl in sorted(crls, key=this_update):
        issued = this_update(crl)
        listed = entries(crl)
        if holding:
            answered = [when for when in good if this_update(holding[-1]) < when < issued]
            if answered:
                found.append((holding[0], min(answered)))
                holding = []
        if listed.get(serial, REMOVE) == HOLD:
            holding.append(crl)
        elif holding and issued > this_update(holding[-1]) and (
                listed.get(serial) == REMOVE or (
                    serial not in listed and not is_delta(crl)
                    and _scope(crl) == _scope(holding[-1]))):
            found.append((holding[0], issued))
            holding = []
    if holding:
        found.append((holding[0], min((when for when in good
                                       if when > this_update(holding[-1])), default=None)))
    return found


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
