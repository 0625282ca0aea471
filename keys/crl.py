"""Certificate revocation lists (RFC 5280, section 5): one full CRL per CA, DER-encoded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import crl

from infra.utc import as_utc
from keys.errors import InvalidRequest
from keys.x509 import Issuer, asn1_time

# RFC 5280, section 5.3.1 names (as `openssl` and operators write them) -> asn1crypto names.
REASONS = {
    "unspecified": "unspecified",
    "keyCompromise": "key_compromise",
    "cACompromise": "ca_compromise",
    "affiliationChanged": "affiliation_changed",
    "superseded": "superseded",
    "cessationOfOperation": "cessation_of_operation",
    "certificateHold": "certificate_hold",
    "privilegeWithdrawn": "privilege_withdrawn",
    "aACompromise": "aa_compromise",
}


def cacheable_seconds(der: bytes, *, now: datetime, at_most: int) -> int:
    """How long an HTTP cache may keep this CRL: `at_most`, never past its nextUpdate (RFC
    5280, 5.1.2.5: a newer list exists by then); 0 once it is past."""
    next_update = crl.CertificateList.load(der)["tbs_cert_list"]["next_update"].native
    if next_update is None:
        return at_most
    return max(0, min(at_most, int((next_update - now).total_seconds())))


def reason_code(reason: str) -> str:
    """Validate an RFC 5280 reason name (removeFromCRL is for delta CRLs, not accepted)."""
    if reason not in REASONS:
        raise InvalidRequest(
            f"reason must be one of {', '.join(REASONS)} (RFC 5280, section 5.3.1), got {reason!r}"
        )
    return REASONS[reason]


def invalidity_date_at(invalidity_date: datetime | None, now: datetime) -> datetime | None:
    """RFC 5280, 5.3.2: the invalidity date to record, to the second (not after `now`, the
    revocation's time: InvalidRequest)."""
    if invalidity_date is None:
        return None
    invalidity_date = as_utc(invalidity_date).replace(microsecond=0)
    if invalidity_date > now:
        raise InvalidRequest("the invalidity date must not be in the future "
                             f"(it is {invalidity_date.isoformat()})")
    return invalidity_date


@dataclass(frozen=True)
class RevokedEntry:
    serial: int
    revoked_at: datetime
    reason: str  # RFC 5280 name
    invalidity_date: datetime | None = None


def build_crl(*, issuer: Issuer, number: int, this_update: datetime, next_update: datetime,
              revoked: Sequence[RevokedEntry]) -> bytes:
    """A v2 CRL with cRLNumber and AKI; reason codes except `unspecified` (RFC 5280, 5.3.1)
    and invalidity dates (5.3.2) as entry extensions."""
    signature_algorithm = issuer.algorithm.signature_algorithm()
    tbs = {
        "version": "v2",
        "signature": signature_algorithm,
        "issuer": issuer.subject,
        "this_update": asn1_time(this_update),
        "next_update": asn1_time(next_update),
        "crl_extensions": [
            {"extn_id": "authority_key_identifier", "critical": False,
             "extn_value": {"key_identifier": issuer.key_identifier}},
            {"extn_id": "crl_number", "critical": False, "extn_value": number},
        ],
    }
    if revoked:  # an empty list must be absent, not empty (RFC 5280, section 5.1.2.6)
        entries = []
        for entry in sorted(revoked, key=lambda e: e.serial):
            item: dict[str, Any] = {"user_certificate": entry.serial,
                          "revocation_date": asn1_time(entry.revoked_at)}
            extensions: list[dict[str, Any]] = []
            if entry.reason != "unspecified":
                extensions.append({"extn_id": "crl_reason", "critical": False,
                                   "extn_value": REASONS[entry.reason]})
            if entry.invalidity_date is not None:  # GeneralizedTime (RFC 5280, 5.3.2)
                extensions.append({"extn_id": "invalidity_date", "critical": False,
                                   "extn_value": entry.invalidity_date.replace(microsecond=0)})
            if extensions:
                item["crl_entry_extensions"] = extensions
            entries.append(item)
        tbs["revoked_certificates"] = entries
    tbs_list = crl.TbsCertList(tbs)
    return bytes(crl.CertificateList({
        "tbs_cert_list": tbs_list,
        "signature_algorithm": signature_algorithm,
        "signature": issuer.sign(tbs_list.dump()),
    }).dump())
