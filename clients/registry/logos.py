"""Agency logos: fetched from the client's `logo_uri` (and `logo_uri#<tag>`, OIDC Registration
section 2.1) through the guarded outbound client when the client is registered or updated, or
uploaded by an operator; checked (`raster.check_raster`) and kept in `agency_logos`.

Citizens' pages show them from Cédula's own origin at a content-hash URL
(`/agency-logos/<sha256>.<ext>`, so `img-src 'self'` stays the rule), and no citizen request
ever fetches anything. A failed fetch is recorded on the row for the operator; the agency is
then shown by its name alone.

A registration may name 21 logos (the untagged one and `MAX_TAGS` tagged ones) while the
request waits: they are fetched together by a small pool (`WORKERS`) within one budget for
all of them (`BUDGET_SECONDS`); each fetch gets what is left of it, and a logo not fetched in
time is recorded as a timeout (the operator fetches it again from the console).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clients.registry.localized import pick, split_key
from clients.registry.models import AgencyLogo, Client
from clients.registry.raster import MAX_BYTES, ImageRefused, check_raster
from infra.db import Database
from infra.outbound import Outbound, OutboundError

log = logging.getLogger(__name__)

PATH = "/agency-logos/"
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
ACCEPT = "image/png, image/jpeg, image/webp"
UPLOADED, FETCHED = "uploaded", "fetched"
# Seconds all of one client's logos may take together, and fetches made at the same time.
BUDGET_SECONDS = 8.0
WORKERS = 4

LogoFetcher = Callable[[str], bytes]


@dataclass(frozen=True)
class LogoOutcome:
    language: str
    uri: str
    error: str | None  # None: fetched and kept


def _now() -> datetime:
    return datetime.now(UTC)


def url_of(logo: AgencyLogo) -> str:
    return f"{PATH}{logo.sha256}.{EXTENSIONS[str(logo.content_type)]}"


def logo_uris(metadata: Mapping[str, Any]) -> dict[str, str]:
    """language tag ("" untagged) -> logo_uri, from validated metadata."""
    found: dict[str, str] = {}
    for key, value in metadata.items():
        field, tag = split_key(key)
        if field == "logo_uri" and isinstance(value, str):
            found[tag or ""] = value
    return found


def fetch_logo(uri: str, *, outbound: Outbound | None = None, total_seconds: float | None = None) -> bytes:
    """GET `uri` through the guarded outbound client (public addresses only, redirects
    checked again, a time budget, MAX_BYTES at most); `total_seconds`: less than its budget."""
    from infra.outbound import get_outbound

    guarded = outbound or get_outbound()
    if total_seconds is not None:
        total_seconds = min(total_seconds, guarded.policy.total_seconds)
    response = guarded.get(uri, accept=ACCEPT, max_bytes=MAX_BYTES, total_seconds=total_seconds)
    if response.status != 200:
        raise OutboundError("status", f"answered {response.status}")
    return response.body


def _row(session: Session, client_id: str, language: str) -> AgencyLogo | None:
    return session.scalar(sa.select(AgencyLogo).where(AgencyLogo.client_id == client_id,
                                                      AgencyLogo.language == language))


def _keep(session: Session, *, client_id: str, language: str, source: str, uri: str | None,
          data: bytes | None, error: str | None, now: datetime) -> AgencyLogo:
    row = _row(session, client_id, language)
    if row is None:
        row = AgencyLogo(client_id=client_id, language=language, source=source, updated_at=now)
        session.add(row)
    row.source, row.source_uri, row.updated_at, row.error = source, uri, now, error
    if data is not None:
        image = check_raster(data)
        row.sha256 = hashlib.sha256(data).hexdigest()
        row.content_type, row.width, row.height, row.data = image.content_type, image.width, image.height, data
    session.flush()
    return row


def _fetched(fetch: LogoFetcher, uri: str, deadline: float) -> bytes:
    if time.monotonic() >= deadline:
        raise OutboundError("timeout", "the logos' time budget ran out before this one started")
    data = fetch(uri)
    check_raster(data)
    return data


def _fetch_all(wanted: Mapping[str, str], fetch: LogoFetcher | None, deadline: float
               ) -> dict[str, bytes | OutboundError | ImageRefused]:
    """language -> the checked image or why not, every fetch within `deadline` (monotonic)."""
    if not wanted:
        return {}
    if fetch is None:
        from infra.outbound import get_outbound

        outbound = get_outbound()  # here: the pool's threads have no application context

        def fetch(uri: str) -> bytes:
            return fetch_logo(uri, outbound=outbound, total_seconds=max(deadline - time.monotonic(), 0.01))

    pool = ThreadPoolExecutor(max_workers=min(WORKERS, len(wanted)), thread_name_prefix="cedula-logos")
    try:
        futures = {language: pool.submit(_fetched, fetch, uri, deadline) for language, uri in wanted.items()}
        wait(futures.values(), timeout=max(deadline - time.monotonic(), 0))
    finally:
        # Not waited for: a fetch still running ends by itself within its own (remaining) budget.
        pool.shutdown(wait=False, cancel_futures=True)
    results: dict[str, bytes | OutboundError | ImageRefused] = {}
    for language, future in futures.items():
        if not future.done() or future.cancelled():
            results[language] = OutboundError("timeout", "the logos' time budget ran out")
            continue
        error = future.exception()
        if error is None:
            results[language] = future.result()
        elif isinstance(error, OutboundError | ImageRefused):
            results[language] = error
        else:
            raise error
    return results


def refresh_logos(database: Database, client_id: str, *, fetch: LogoFetcher | None = None,
                  now: datetime | None = None) -> list[LogoOutcome]:
    """Fetch the client's logos again (outside any transaction; together, within
    `BUDGET_SECONDS` for all), keep the good ones, record the failures; logos of languages the
    metadata no longer names are dropped (an operator's upload stays until the operator
    replaces it). `fetch`: default, `fetch_logo` through the application's outbound client.
    Never raises for a bad logo."""
    moment = now or _now()
    with database.read() as session:
        client = session.scalar(sa.select(Client).where(Client.client_id == client_id))
        wanted = logo_uris(client.client_metadata) if client is not None else {}
    results = _fetch_all(wanted, fetch, time.monotonic() + BUDGET_SECONDS)
    outcomes: list[LogoOutcome] = []
    fetched: dict[str, bytes | None] = {}
    for language, uri in wanted.items():
        result = results[language]
        if isinstance(result, OutboundError):
            fetched[language] = None
            outcomes.append(LogoOutcome(language, uri, f"could not be fetched ({result.reason})"))
        elif isinstance(result, ImageRefused):
            fetched[language] = None
            outcomes.append(LogoOutcome(language, uri, str(result)))
        else:
            fetched[language] = result
            outcomes.append(LogoOutcome(language, uri, None))
    with database.transaction() as session:
        rows = session.scalars(sa.select(AgencyLogo).where(AgencyLogo.client_id == client_id))
        for stale in rows:
            if stale.source == FETCHED and stale.language not in wanted:
                session.delete(stale)
        for outcome in outcomes:
            row = _row(session, client_id, outcome.language)
            if row is not None and row.source == UPLOADED:
                continue
            _keep(session, client_id=client_id, language=outcome.language, source=FETCHED, uri=outcome.uri,
                  data=fetched[outcome.language], error=outcome.error, now=moment)
    for outcome in outcomes:
        if outcome.error:
            log.info("agency logo not kept", extra={"client_id": client_id, "language": outcome.language,
                                                    "error": outcome.error})
    return outcomes


def upload_logo(session: Session, *, client_id: str, data: bytes, now: datetime | None = None) -> AgencyLogo:
    """An operator's upload (the untagged logo): checked like a fetched one; ImageRefused."""
    check_raster(data)
    return _keep(session, client_id=client_id, language="", source=UPLOADED, uri=None, data=data,
                 error=None, now=now or _now())


def logos_of(session: Session, client_id: str) -> list[AgencyLogo]:
    return list(session.scalars(sa.select(AgencyLogo).where(AgencyLogo.client_id == client_id)
                                .order_by(AgencyLogo.language)))


def logo_for(session: Session, client_id: str, locale: str | None) -> AgencyLogo | None:
    """The logo a citizen reading `locale` sees (the same choice as `localized`: exact tag,
    same primary language, then untagged), among the kept ones; None if none is kept."""
    return pick({row.language: row for row in logos_of(session, client_id) if row.sha256}, locale)


def stored_logo(session: Session, sha256: str) -> AgencyLogo | None:
    return session.scalar(sa.select(AgencyLogo).where(AgencyLogo.sha256 == sha256).limit(1))
