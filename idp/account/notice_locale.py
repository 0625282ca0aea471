"""The language and time zone a citizen's account notices are written in
(`idp.account.security_notices`), when someone else's request sends them: a service office
that checked the citizen's identity or started an in-person recovery acts in the staff
member's language and time zone, not the citizen's.

Cédula keeps no language preference with the account (the `citizens` table has no such column,
and none is added without a migration). What it knows is the language and time zone the citizen
last used: each sign-in (a session started or re-checked, `idp.sessions.add_listener`) and each
notice the citizen's own request sends remembers the request's language (the switch's cookie,
else the browser's) and, when the browser told it (`tz` cookie), its time zone, in the store
under `citizen-locale:<id>` for REMEMBER_SECONDS, renewed each time. A notice sent by another
person's request uses what is remembered; when nothing is (never signed in since, or the store
was emptied), the deployment's default language (the first of `[i18n] languages`) and
`[i18n] timezone`: never the staff member's."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass

from flask import current_app

from idp.sessions import SessionChange, SessionEvent
from infra.i18n.formats import Formats, UnknownZone
from infra.store import StoreError, get_store
from infra.web.i18n import TIME_ZONE, catalog, current_language, current_zone

log = logging.getLogger(__name__)
KEY = "citizen-locale:"
# How long a remembered language lasts without a sign-in: over a year, as a citizen who signs
# in once a year (a yearly tax return) is still the same reader.
REMEMBER_SECONDS = 400 * 24 * 3600


@dataclass(frozen=True)
class NoticeLocale:
    """The language of a notice and the dates and times in it."""

    language: str
    formats: Formats
    own_zone: bool  # the citizen's browser told the zone (else the setting's: times carry their offset)


def of_request() -> NoticeLocale:
    """The current request's language and time zone (the citizen's own request)."""
    zone, own = current_zone()
    language = current_language()
    return NoticeLocale(language=language, formats=Formats.of(language, zone), own_zone=own)


def remember(citizen_id: str | uuid.UUID) -> None:
    """Remember the current request's language (and its time zone when the browser told it) as
    the citizen's; a failing store is logged, never fails the citizen's request."""
    zone, own = current_zone()
    name = getattr(zone, "key", None) if own else None
    store = get_store(current_app)
    key = KEY + str(citizen_id)
    try:
        if name is None:  # no zone from this browser: keep the one another browser told
            kept = _read(store.get(key))
            name = kept.get("zone") if kept else None
        store.set(key, json.dumps({"language": current_language(), "zone": name}).encode(), REMEMBER_SECONDS)
    except StoreError:
        log.warning("citizen language not remembered", exc_info=True)


def recall(citizen_id: str | uuid.UUID) -> NoticeLocale:
    """The language and time zone the citizen last used (module docstring), else the defaults."""
    languages = catalog().languages
    try:
        kept = _read(get_store(current_app).get(KEY + str(citizen_id))) or {}
    except StoreError:
        log.warning("citizen language not read", exc_info=True)
        kept = {}
    said, name = kept.get("language"), kept.get("zone")
    language = said if isinstance(said, str) and said in languages else languages[0]
    zone, own = TIME_ZONE.of(), False
    if isinstance(name, str):
        try:
            zone, own = Formats.of(language, name).zone, True
        except UnknownZone:
            pass
    return NoticeLocale(language=language, formats=Formats.of(language, zone), own_zone=own)


def _read(raw: bytes | None) -> dict[str, object] | None:
    if not raw:
        return None
    try:
        found = json.loads(raw)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def on_session_event(change: SessionChange) -> None:
    """A session listener: a sign-in or re-check remembers the citizen's language."""
    if change.event in (SessionEvent.STARTED, SessionEvent.REAUTHENTICATED):
        remember(change.session.citizen_id)


__all__ = ["REMEMBER_SECONDS", "NoticeLocale", "of_request", "on_session_event", "recall", "remember"]
