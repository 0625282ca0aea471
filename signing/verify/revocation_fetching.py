"""Revocation information fetched for a verification (`[verify] fetch_revocation`), through
the guarded outbound client (`infra.outbound`).

The OCSP responders (RFC 5280, 4.2.2.1) and CRL distribution points (4.2.1.13) asked are
those an uploaded PDF's certificates name: whoever made the PDF chose them. pyHanko's own
fetcher backends (aiohttp, requests) connect wherever a URL points, loopback and private
networks included; this backend keeps pyHanko's OCSP and CRL handling (request building,
response checks, caching per validation) and only replaces the HTTP exchange with the
guarded client's, so the same addresses, schemes, redirects, time and size limits apply as
to every other fetch the service makes. Certificates themselves are never fetched.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pyhanko_certvalidator.fetchers import FetcherBackend, Fetchers
from pyhanko_certvalidator.fetchers.api import FetchLimits
from pyhanko_certvalidator.fetchers.common_utils import FetchBudget
from pyhanko_certvalidator.fetchers.requests_fetchers.cert_fetch_client import RequestsCertificateFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.crl_client import RequestsCRLFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.ocsp_client import RequestsOCSPFetcher

from infra.outbound import Outbound, OutboundError, OutboundPolicy

# Per verification (all its signatures): a forged certificate, or many, cannot make the service send more.
LIMITS = FetchLimits(max_requests=8, max_cert_requests=0, max_aia_urls_per_object=2)
MAX_ANSWER_BYTES = 4 * 1024 * 1024  # a CRL of a large CA; OCSP answers are a few kB


def default_client() -> Outbound:
    """Without a deployment's `[outbound]` policy: public https addresses only."""
    return Outbound(OutboundPolicy())


class RevocationFetchRefused(ValueError):
    """The guarded client refused or could not complete the request (pyHanko's fetchers turn
    a ValueError into their own fetch error: the status stays unknown)."""


class _Answer:
    """What pyHanko's requests-based fetchers read of an answer."""

    def __init__(self, content: bytes) -> None:
        self.content = content


class _Guarded:
    """The HTTP exchange of pyHanko's requests-based fetchers, over the guarded client."""

    outbound: Outbound

    def _get(self, url: str, *, acceptable_content_types: Any) -> Any:
        return asyncio.to_thread(self._exchange, "GET", url, None, acceptable_content_types, None)

    def _post(self, url: str, data: bytes, *, content_type: str, acceptable_content_types: Any) -> Any:
        return asyncio.to_thread(self._exchange, "POST", url, data, acceptable_content_types, content_type)

    def _exchange(self, method: str, url: str, body: bytes | None, accept: Any,
                  content_type: str | None) -> _Answer:
        headers = {"Accept": ",".join(accept)}
        if content_type is not None:
            headers["Content-Type"] = content_type
        try:
            response = self.outbound.request(method, url, body=body, headers=headers, max_bytes=MAX_ANSWER_BYTES,
                                             follow_redirects=method == "GET")
        except OutboundError as exc:
            raise RevocationFetchRefused(f"{url}: {exc.reason}") from None
        if response.status != 200:
            raise RevocationFetchRefused(f"{url}: answered {response.status}")
        return _Answer(response.body)


class _OCSP(_Guarded, RequestsOCSPFetcher):
    pass


class _CRL(_Guarded, RequestsCRLFetcher):
    pass


class _Certificates(_Guarded, RequestsCertificateFetcher):
    pass


class GuardedFetcherBackend(FetcherBackend):
    """pyHanko's fetchers for one verification, each request through `outbound`. Every
    validation context of the verification (each signature and time-stamp is validated in one
    or two) gets the same fetchers: one request budget (`limits`) and one cache of answers, so
    a PDF of many signatures naming the same addresses neither multiplies nor repeats requests."""

    def __init__(self, outbound: Outbound, *, limits: FetchLimits = LIMITS) -> None:
        self.outbound = outbound
        self.limits = limits
        self._fetchers: Fetchers | None = None

    def get_fetchers(self) -> Fetchers:
        if self._fetchers is None:
            budget = FetchBudget(self.limits)
            seconds = self.outbound.policy.total_seconds
            fetchers = (_OCSP(per_request_timeout=seconds, budget=budget),
                        _CRL(per_request_timeout=seconds, budget=budget),  # type: ignore[no-untyped-call]
                        _Certificates(per_request_timeout=seconds, budget=budget))
            for fetcher in fetchers:
                fetcher.outbound = self.outbound
            self._fetchers = Fetchers(ocsp_fetcher=fetchers[0], crl_fetcher=fetchers[1], cert_fetcher=fetchers[2])
        return self._fetchers

    async def close(self) -> None:
        return None
