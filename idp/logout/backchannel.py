"""OpenID Connect Back-Channel Logout 1.0: tell every agency of an ended SSO session.

    notify_session_ended(sid=, citizen_id=, reason=)   # an SSO session ended (any cause)
    logout_client(client_id=, citizen_id=)             # the citizen withdrew an agency's access

Both only write one outbox message (`deliveries.put`): finding the agencies (the OIDC grants
with that `sid`), signing the logout tokens and POSTing them happen in the background, on any
node (`deliveries.LogoutWorker`).
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from clients.registry import Client, ClientNotFound, find_client
from idp.logout import deliveries
from idp.logout.current import get_logout
from idp.logout.settings import LogoutSettings
from idp.oidc.current import provider
from idp.oidc.models import Grant
from idp.oidc.services import Provider
from idp.oidc.subjects import session_id, subject_for
from idp.sessions import records, session_policy
from infra.db import get_db
from infra.indicators import tally_apart
from infra.ops.metrics import count
from infra.outbound import Outbound, OutboundError, get_outbound
from infra.outbox import Message, Outbox
from infra.store import get_store

log = logging.getLogger(__name__)

EVENT = "http://schemas.openid.net/event/backchannel-logout"
TOKEN_TYP = "logout+jwt"  # noqa: S105 - a media type (section 2.4)
DELIVERED = frozenset({200, 204})


def _settings() -> LogoutSettings:
    return get_logout().settings


class DeliveryFailed(Exception):
    """An attempt that did not reach the agency (retried by the outbox worker)."""


def notify_session_ended(*, sid: str, citizen_id: str, reason: str) -> None:
    """Section 2.7: log out every agency that took part in the SSO session `sid` (a session
    ends once: a second announcement of the same `sid` is recognised and dropped)."""
    deliveries.put(current_app, deliveries.SESSION, key=sid,
                   payload={"sid": sid, "citizen_id": citizen_id, "reason": reason})


def logout_client(*, client_id: str, citizen_id: str, reason: str = "consent_revoked") -> None:
    """Log the citizen out of one agency (its access was withdrawn), in every live session:
    the sessions live now, recorded in the message, as the caller may end them before the
    message is worked (an account closed; a citizen signing out just after withdrawing), and
    an ended session no longer tells an agency whose grants are revoked (`expand_session`)."""
    live = [s.sid for s in records.for_citizen(get_store(), session_policy(), citizen_id, time.time())]
    deliveries.put(current_app, deliveries.CLIENT, key=secrets.token_urlsafe(16),
                   payload={"client_id": client_id, "citizen_id": citizen_id, "reason": reason,
                            "sids": live})


# Grants the provider revoked without the agency's doing or the citizen's withdrawal: their
# agency still holds its session (built on the ID token of the first use) and was not told. A
# code presented twice (RFC 6749 4.1.2) and a spent refresh token presented again (RFC 9700
# 4.14.2; `idp.oidc.refresh`, a lost race to spend it included) are the same attack.
LOGGED_OUT_ON_REVOCATION = frozenset({"code_reuse", "refresh_reuse"})


def logout_revoked_grant(session: Session, grant_id: str | uuid.UUID, *, reason: str) -> bool:
    """A grant revoked because its code was presented twice (RFC 6749 4.1.2) or a spent refresh
    token of it was (RFC 9700 4.14.2): the tokens are dead, but the agency's own session for
    that `sid` may live on, perhaps an attacker's. It is logged out of that session now, while
    the SSO session is live (Back-Channel Logout 1.0, 2.7), in the revocation's transaction:
    one message per grant, however often the code or token is replayed. False when there is
    nothing to tell (the session already ended, and with it was announced)."""
    row = session.execute(sa.select(Grant.client_id, Grant.citizen_id, Grant.sid)
                          .where(Grant.id == uuid.UUID(str(grant_id)))).first()
    if row is None or not row.sid:
        return False
    citizen_id = str(row.citizen_id)
    if records.by_sid(get_store(), session_policy(), row.sid, time.time()) is None:
        return False
    return Outbox.put(session, topic=deliveries.CLIENT, key=f"grant:{grant_id}",
                      payload={"client_id": row.client_id, "citizen_id": citizen_id, "reason": reason,
                               "sids": [row.sid], "name_sid": True})


def logout_token_claims(*, issuer: str, client_id: str, sub: str | None, sid: str | None,
                        now: int, lifetime: int) -> dict[str, Any]:
    """Section 2.4: iss, aud, iat, exp, jti, events, and sub and/or sid; never a nonce."""
    if not sub and not sid:
        raise ValueError("a logout token names a sub, a sid, or both")
    claims: dict[str, Any] = {"iss": issuer, "aud": client_id, "iat": now, "exp": now + lifetime,
                              "jti": secrets.token_urlsafe(18), "events": {EVENT: {}}}
    if sub:
        claims["sub"] = sub
    if sid:
        claims["sid"] = sid
    return claims


def agencies_by_sid(session: Session, *, citizen_id: str, sids: Iterable[str],
                    revoked_too: bool = False) -> dict[str, list[Client]]:
    """The agencies the citizen is signed in to through each session: those holding a grant
    from it that is not revoked (two queries in all). An agency whose grants were all revoked
    (the citizen withdrew its access, the account was closed or frozen: it was logged out
    then; or the agency revoked them itself) is not told of the session again, nor listed: it
    would learn of the citizen's activity after the withdrawal. `revoked_too` counts every
    grant: the logout of a withdrawal itself, whose grants are revoked just before."""
    wanted = list(sids)
    if not wanted:
        return {}
    query = (sa.select(Grant.sid, Grant.client_id).distinct()
             .where(Grant.citizen_id == uuid.UUID(citizen_id), Grant.sid.in_(wanted)))
    if not revoked_too:
        query = query.where(Grant.revoked_at.is_(None))
    pairs = session.execute(query).all()
    client_ids = {client_id for _, client_id in pairs}
    clients = {c.client_id: c for c in session.scalars(
        sa.select(Client).where(Client.client_id.in_(client_ids)))} if client_ids else {}
    found: dict[str, list[Client]] = {sid: [] for sid in wanted}
    for sid, client_id in sorted(pairs):
        if client_id in clients:
            found[sid].append(clients[client_id])
    return found


@dataclass(frozen=True)
class Delivery:
    """One logout token to send: to whom, about which session and subject."""

    client_id: str
    uri: str
    alg: str
    sub: str | None
    sid: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "uri": self.uri, "alg": self.alg, "sub": self.sub,
                "sid": self.sid, "reason": self.reason}


def _delivery(provider: Provider, client: Client, *, citizen_id: str, sid: str | None,
              reason: str) -> Delivery | None:
    metadata = client.client_metadata
    uri = metadata.get("backchannel_logout_uri")
    if not uri:
        return None
    # The agency's own `sid` for the session, as its ID tokens carry it (`subjects.session_id`).
    seen = session_id(key=provider.pairwise_key, client_id=client.client_id, sid=sid) if sid else None
    return Delivery(client_id=client.client_id, uri=uri,
                    alg=metadata.get("id_token_signed_response_alg", "ES256"),
                    sub=subject_for(provider, client, citizen_id), sid=seen, reason=reason)


def _provider() -> Provider:
    return provider()


def _put_deliveries(session: Session, expanded: Message, found: list[Delivery], now: float) -> None:
    """One `logout.deliver` message per delivery, due at once, keyed by the expanded message
    and the agency and session, in the expansion's transaction."""
    for delivery in found:
        Outbox.put(session, topic=deliveries.DELIVER,
                   key=f"{expanded.topic}:{expanded.key}:{delivery.client_id}:{delivery.sid or ''}",
                   payload=delivery.to_json(), now=now)


def expand_session(message: Message, now: float) -> str:
    """An ended session becomes one delivery per agency with a back-channel logout URI and a
    live grant from it, as the grants are when the message is worked (`agencies_by_sid`)."""
    sid, citizen_id = message.payload["sid"], message.payload["citizen_id"]
    with get_db(current_app).transaction() as session:
        clients = agencies_by_sid(session, citizen_id=citizen_id, sids=[sid])[sid]
        found = [d for c in clients if (d := _delivery(
            _provider(), c, citizen_id=citizen_id, sid=sid, reason=message.payload["reason"]))]
        _put_deliveries(session, message, found, now)
    log.info("back-channel logout queued", extra={"sid": sid, "reason": message.payload["reason"],
                                                  "clients": [d.client_id for d in found]})
    return "expanded"


def expand_client(message: Message, now: float) -> str:
    """One agency, every live session of the citizen it took part in (or, when the agency does
    not need `sid`, one token naming only the subject: all its sessions of that citizen)."""
    client_id, citizen_id = message.payload["client_id"], message.payload["citizen_id"]
    live: list[str] = message.payload.get("sids") or []
    if "sids" not in message.payload:  # queued before the sessions were recorded with it
        live = [s.sid for s in records.for_citizen(get_store(), session_policy(), citizen_id, now)]
    with get_db(current_app).transaction() as session:
        try:
            client = find_client(session, client_id, enabled_only=False)
        except ClientNotFound:
            client = None
        if client is None:
            return "skipped"
        sids: list[str | None]
        if message.payload.get("name_sid"):  # one session (`logout_revoked_grant`), named
            sids = list(live)
        elif client.client_metadata.get("backchannel_logout_session_required", False):
            # Its grants were revoked just before (the withdrawal this logout is for): all count.
            taking_part = agencies_by_sid(session, citizen_id=citizen_id, sids=live, revoked_too=True)
            sids = [sid for sid in live if any(c.client_id == client_id for c in taking_part[sid])]
        else:
            sids = [None]
        found = [d for sid in sids if (d := _delivery(
            _provider(), client, citizen_id=citizen_id, sid=sid, reason=message.payload["reason"]))]
        _put_deliveries(session, message, found, now)
    return "expanded"


@dataclass(frozen=True)
class Attempt:
    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status in DELIVERED


def post_logout_token(outbound: Outbound, uri: str, token: str, *, settings: LogoutSettings) -> Attempt:
    """Section 2.5: POST logout_token form-encoded, through the guarded outbound client
    (public addresses only, checked after resolution; no redirects; one time budget)."""
    try:
        response = outbound.post_form(uri, {"logout_token": token}, total_seconds=settings.delivery_seconds,
                                      headers={"Cache-Control": "no-store"})
    except OutboundError as exc:
        return Attempt(None, f"{exc.reason}: {exc.detail}"[:300])
    return Attempt(response.status, None)


def deliver(message: Message, now: float) -> str:
    """Sign a fresh logout token (new jti and iat on each attempt: an agency that saw the
    first one may refuse its replay, section 2.6) and send it; raise `DeliveryFailed` when it
    did not arrive, and the outbox retries."""
    settings = _settings()
    payload = dict(message.payload)
    # The agency's endpoint as registered now: one it changed or removed since the logout was
    # queued (a host it gave up, now someone else's) gets no token and no retries.
    with get_db(current_app).read() as session:
        try:
            uri = find_client(session, payload["client_id"], enabled_only=False).client_metadata.get(
                "backchannel_logout_uri")
        except ClientNotFound:
            uri = None
    if not uri:
        log.info("back-channel logout skipped: the agency no longer registers a logout URI",
                 extra={"client_id": payload["client_id"], "sid": payload.get("sid"), "outcome": "skipped"})
        count("logout.backchannel", "skipped", agency=str(payload["client_id"]))
        return "skipped"
    payload["uri"] = uri
    issued = int(time.time())
    claims = logout_token_claims(issuer=settings.issuer, client_id=payload["client_id"],
                                 sub=payload.get("sub"), sid=payload.get("sid"), now=issued,
                                 lifetime=settings.token_seconds)
    try:
        token = _provider().signer.sign(claims, alg=payload["alg"], typ=TOKEN_TYP)
    except Exception as exc:  # keys unavailable: an attempt that failed
        attempt = Attempt(None, f"signing failed: {type(exc).__name__}")
    else:
        attempt = post_logout_token(get_outbound(current_app), payload["uri"], token, settings=settings)
    facts = {"client_id": payload["client_id"], "sid": payload.get("sid"), "uri": payload["uri"],
             "reason": payload.get("reason"), "attempt": message.attempts, "status": attempt.status,
             "error": attempt.error}
    if attempt.delivered:
        outcome = "delivered"
        log.info("back-channel logout delivered", extra={**facts, "outcome": outcome})
    elif deliveries.retry_policy(settings).gives_up(message):
        outcome = "gave_up"
        log.warning("back-channel logout given up", extra={**facts, "outcome": outcome})
    else:
        outcome = "retry"
        log.info("back-channel logout failed, will retry",
                 extra={**facts, "outcome": outcome,
                        "retry_in_seconds": settings.retry_delay(message.attempts)})
    count("logout.backchannel", outcome, agency=str(payload["client_id"]))
    tally_apart(get_db(current_app), "backchannel", agency=str(payload["client_id"])[:64], dimension=outcome)
    if not attempt.delivered:
        raise DeliveryFailed(attempt.error or f"HTTP {attempt.status}")
    return outcome


HANDLERS = {deliveries.SESSION: expand_session, deliveries.CLIENT: expand_client,
            deliveries.DELIVER: deliver}
