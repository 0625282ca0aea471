"""Is a PID issuer's certificate revoked? (issue 21)

A PID's `x5c` chain leads to a trusted issuer (`idp.wallet.trust`); that says nothing about
whether the PID provider's certificate was revoked since, say after its key leaked. Before a
PID is accepted, the revocation status of every certificate of the chain below the trust
anchor is obtained from what the certificates declare, CRL distribution points (RFC 5280,
4.2.1.13) and OCSP responders (RFC 6960, AIA 4.2.2.1), fetched through the guarded outbound
client (`infra.outbound`, so private addresses stay out of reach), and judged by pyHanko's
certificate validator, the library `signing.verify` already judges revocation with: CRL and
OCSP signatures, responder authorisation, freshness (RFC 5280, 6.3; RFC 6960, 3.2). This module
writes no OCSP or CRL parsing of its own: it fetches, asks the validator, and caches.

Policy (`[wallet] issuer_revocation`):
- `require` (default): revoked is refused (`issuer_revoked`); a status that cannot be
  obtained (no CRL or OCSP declared, responder unreachable, stale or badly signed data) is
  refused too (`issuer_revocation_unavailable`, 503, try later);
- `soft-fail`: revoked is refused; an unknown status is accepted and logged.

The answer (good or revoked) is cached per certificate in the ephemeral store until the
earliest nextUpdate of the CRLs and OCSP responses that gave it (at most
`issuer_revocation_cache_seconds`); an unknown status is never cached.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from idp.wallet.errors import InvalidSdJwt
from infra.store import EphemeralStore

log = logging.getLogger(__name__)

POLICIES = ("require", "soft-fail")
OCSP_REQUEST = "application/ocsp-request"
OCSP_RESPONSE = "application/ocsp-response"
CRL = "application/pkix-crl"
MAX_URLS = 4  # per certificate and kind: a crafted certificate cannot make us fetch more
MAX_FETCHES = 4  # per PID: with the fetch time budget, the longest a presentation can wait

Fetch = Callable[[str, bytes | None], bytes]
"""`fetch(url, body)`: GET `url` (body None: a CRL) or POST the DER OCSP request `body` to it;
the answer's bytes, or any exception when it cannot be had (a guarded outbound request)."""


class IssuerRevoked(InvalidSdJwt):
    """The PID issuer's certificate (or a CA above it) is revoked."""

    error = "issuer_revoked"


class IssuerRevocationUnavailable(InvalidSdJwt):
    """The revocation status of the PID issuer's certificate could not be obtained."""

    error = "issuer_revocation_unavailable"
    status = 503


@dataclass(frozen=True)
class Status:
    state: str  # good | revoked | unknown
    detail: str = ""
    until: datetime | None = None  # earliest nextUpdate of the data that gave it


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _urls(values: Sequence[str]) -> list[str]:
    return [url for url in values if isinstance(url, str) and url.startswith(("https://", "http://"))][:MAX_URLS]


def gather(chain: Sequence[x509.Certificate], anchor: x509.Certificate, *, fetch: Fetch
           ) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse], list[str]]:
    """CRLs and OCSP responses for every certificate of `chain` (leaf first) below `anchor`,
    and what could not be fetched (for the log and the error)."""
    from pyhanko_certvalidator.authority import AuthorityWithCert
    from pyhanko_certvalidator.fetchers.common_utils import (
        format_ocsp_request,
        process_ocsp_response_data,
    )

    anchored = [c for c in chain if c != anchor]
    issuers = [*anchored[1:], anchor]
    crls: list[asn1_crl.CertificateList] = []
    responses: list[asn1_ocsp.OCSPResponse] = []
    problems: list[str] = []
    budget = MAX_FETCHES
    for certificate, issuer in zip(anchored, issuers, strict=False):
        subject, parent = _asn1(certificate), _asn1(issuer)
        # One good source per certificate is enough (pyHanko's "either" check): OCSP first
        # (small, current), then the CRLs; each responder at most once.
        sources = [("OCSP", url) for url in _urls(subject.ocsp_urls)] + \
            [("CRL", url) for url in _urls([p.url for p in subject.crl_distribution_points if p.url])]
        for kind, url in sources:
            if budget == 0:
                problems.append(f"{kind} {url}: not fetched (at most {MAX_FETCHES} per PID)")
                continue
            budget -= 1
            try:
                if kind == "OCSP":
                    request = format_ocsp_request(subject, AuthorityWithCert(parent),
                                                  certid_hash_algo="sha256", request_nonces=False)
                    responses.append(process_ocsp_response_data(
                        fetch(url, request.dump()), ocsp_request=request, ocsp_url=url))
                else:
                    crls.append(asn1_crl.CertificateList.load(fetch(url, None), strict=True))
            except Exception as exc:
                problems.append(f"{kind} {url}: {type(exc).__name__}")
                continue
            break
    return crls, responses, problems


def judge(chain: Sequence[x509.Certificate], anchor: x509.Certificate, *,
          crls: Sequence[asn1_crl.CertificateList], responses: Sequence[asn1_ocsp.OCSPResponse],
          now: datetime) -> Status:
    """pyHanko's verdict on the chain with this revocation data and nothing else (no fetching):
    every certificate below the anchor needs a fresh, properly signed CRL or OCSP answer."""
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import (
        PathBuildingError,
        PathValidationError,
        RevokedError,
        ValidationError,
    )

    leaf = _asn1(chain[0])
    context = ValidationContext(trust_roots=[_asn1(anchor)],
                                other_certs=[_asn1(c) for c in chain[1:] if c != anchor],
                                crls=list(crls), ocsps=list(responses), allow_fetching=False,
                                revocation_mode="require", moment=now)
    validator = CertificateValidator(leaf, validation_context=context)
    try:
        asyncio.run(validator.async_validate_path())
    except RevokedError as exc:
        return Status("revoked", str(exc), _earliest_update(crls, responses))
    except (PathBuildingError, PathValidationError, ValidationError) as exc:
        return Status("unknown", str(exc))
    return Status("good", "", _earliest_update(crls, responses))


def _earliest_update(crls: Sequence[asn1_crl.CertificateList],
                     responses: Sequence[asn1_ocsp.OCSPResponse]) -> datetime | None:
    moments = [c["tbs_cert_list"]["next_update"].native for c in crls]
    for response in responses:
        basic = response.basic_ocsp_response
        for single in basic["tbs_response_data"]["responses"]:
            moments.append(single["next_update"].native)
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def cache_key(leaf: x509.Certificate) -> str:
    from idp.wallet.trust import fingerprint

    return f"wallet:issuer-revocation:{fingerprint(leaf)}"


def check(chain: Sequence[x509.Certificate], anchor: x509.Certificate, *, fetch: Fetch,
          now: datetime, policy: str, store: EphemeralStore, max_cache: int) -> Status:
    """The revocation status of the PID issuer's chain under `policy`; raises `IssuerRevoked`
    or `IssuerRevocationUnavailable` when the PID must be refused."""
    key = cache_key(chain[0])
    cached = store.get(key)
    if cached in (b"good", b"revoked"):
        status = Status(cached.decode(), "cached")
    else:
        crls, responses, problems = gather(chain, anchor, fetch=fetch)
        status = judge(chain, anchor, crls=crls, responses=responses, now=now)
        if problems and status.state == "unknown":
            status = Status("unknown", f"{status.detail} ({'; '.join(problems)})")
        if status.state != "unknown" and status.until is not None:
            ttl = min(int((status.until - now).total_seconds()), max_cache)
            if ttl > 0:
                store.set(key, status.state.encode(), ttl)
    subject = chain[0].subject.rfc4514_string()
    if status.state == "revoked":
        raise IssuerRevoked(f"the PID issuer's certificate {subject} is revoked")
    if status.state == "unknown":
        log.warning("PID issuer revocation status unknown",
                    extra={"issuer": subject, "detail": status.detail, "policy": policy})
        if policy == "require":
            raise IssuerRevocationUnavailable(
                f"the revocation status of the PID issuer's certificate {subject} could not be "
                "obtained (CRL or OCSP); try again later")
    return status


__all__ = ["POLICIES", "Fetch", "IssuerRevocationUnavailable", "IssuerRevoked", "Status",
           "check", "gather", "judge"]
