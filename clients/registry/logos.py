"""Agency logos: fetched from the client's `logo_uri` (and `logo_uri#<tag>`, OIDC Registration
section 2.1) through the guarded outbound client when the client is registered or updated, or
uploaded by an operator; checked (`raster.check_raster`) and kept in `agency_logos`.

Citizens' pages show them from Cédula's own origin at a content-hash URL
(`/agency-logos/<sha256>.<ext>`, so `img-src 'self'` stays the rule), and no citizen request
ever fetches anything. A failed fetch is recorded on the row for the operator; the agency is
then shown by its name alone.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
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


def fetch_logo(uri: str, *, outbound: Outbound | None = None) -> bytes:
    """GET `uri` through the guarded outbound client (public addresses only, redirects
    checked again, a time budget, MAX_BYTES at most)."""
    from infra.outbound import get_outbound

    response = (outbound or get_outbound()).get(uri, accept=ACCEPT, max_bytes=MAX_BYTES)
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


def refresh_logos(database: Database, client_id: str, *, fetch: LogoFetcher = fetch_logo,
                  now: datetime | None = None) -> list[LogoOutcome]:
    """Fetch the client's logos again (outside any transaction), keep the good ones, record the
    failures; logos of languages the metadata no longer names are dropped (an operator's upload
    stays until the operator replaces it). Never raises for a bad logo."""
    moment = now or _now()
    with database.read() as session:
        client = session.scalar(sa.select(Client).where(Client.client_id == client_id))
        wanted = logo_uris(client.client_metadata) if client is not None else {}
    outcomes: list[LogoOutcome] = []
    fetched: dict[str, bytes | None] = {}
    for language, uri in wanted.items():
        try:
            data = fetch(uri)
            check_raster(data)
            fetched[language] = data
            outcomes.append(LogoOutcome(language, uri, None))
        except OutboundError as exc:
            fetched[language] = None
            outcomes.append(LogoOutcome(language, uri, f"could not be fetched ({exc.reason})"))
        except ImageRefused as exc:
            fetched[language] = None
            outcomes.append(LogoOutcome(language, uri, str(exc)))
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
