"""The SSO session of the browser: who is signed in, since when, how.

Public API (the OpenID Provider calls these):

    current_session(allow_recovery=False) -> SsoSession | None
    require_citizen(allow_recovery=False) -> SsoSession   # raises LoginRequired
    start_session(response, citizen_id=..., amr=..., credential_id=..., recovery=False,
                  opened_by=None, history_recorded=False, replace_other=False)   # raises AccountMismatch
    check_recovery_with(app, check)   # check(session) -> bool: what opened a recovery session holds
    ensure_may_start(citizen_id, replace_other=False)   # the same check, inside a transaction
    continues(citizen_id, recovery=False) -> bool   # would start_session re-authenticate?
    reauthenticate(response, session=..., amr=..., credential_id=..., history_recorded=False)
    end_session(response=None, sid=None, reason="logout")
    add_listener(app, listener)   # listener(SessionChange): a session started, re-authenticated, ended
    sessions_for(citizen_id) -> list[SsoSession]
    signed_in() -> bool   (also a Jinja global)

The cookie is HttpOnly, SameSite=Lax, and with an https issuer Secure and `__Host-`
prefixed. A recovery session (signed in with a recovery code) only lets the citizen add
a passkey: `current_session()` and `require_citizen()` ignore it unless asked. It records
what opened it (`opened_by`, the account's recovery generation): when asked for, it is first
checked (`check_recovery_with`), and one a desk recovery or new codes superseded ends there.
Ending the account's sessions is not enough: a code spent just before a desk recovery's
transaction starts its session just after the desk ended the sessions.

One browser, one citizen: a sign-in as another citizen than the one signed in here (a live,
non-recovery session) is refused, whatever the way in (passkey, wallet, recovery code,
registrar binding code, reclaim, a cross-device handover), with `AccountMismatch` (409
`account_mismatch`, "sign out first"). Replacing the session silently would sign its citizen
out of every agency (back-channel logout) and the other one in to them, also in the middle of
a re-authentication an agency asked for. Only a replacement the person confirmed on a page
that named both accounts (`/bind`) passes `replace_other=True`. A recovery session is
replaced freely: it reaches no agency.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol
from urllib.parse import quote

from flask import Flask, current_app, g, redirect, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as BaseResponse

from idp.sessions import ended, records
from idp.sessions.records import SessionPolicy, SsoSession
from infra.components import Slot
from infra.config import MAX_SECONDS, Section, get_settings, read_section
from infra.secrets import get_secrets
from infra.store import EphemeralStore, get_store
from infra.web.caching import no_store
from infra.web.errors import json_error, respond, wants_json
from infra.web.i18n import gettext as _
from infra.web.i18n import page_address

__all__ = ["AccountMismatch", "LoginRequired", "SessionChange", "SessionEvent", "SessionListener",
           "SsoSession", "add_listener", "check_recovery_with", "continues", "current_session", "end_session",
           "ensure_may_start", "init_app", "reauthenticate", "require_citizen", "sessions_for", "signed_in",
           "start_session"]

log = logging.getLogger(__name__)
_UNSET = object()
_GONE = object()
LISTENERS: Slot[list[SessionListener]] = Slot("session listeners")
POLICY: Slot[SessionPolicy] = Slot("session policy")
RECOVERY_CHECKS: Slot[list[Callable[[SsoSession], bool]]] = Slot("recovery session checks")


class SessionEvent(Enum):
    STARTED = "started"
    REAUTHENTICATED = "reauthenticated"
    ENDED = "ended"


@dataclass(frozen=True)
class SessionChange:
    """What a listener is told: `session` started, was re-authenticated or ended.

    `reason`: why it ended ("logout", "replaced", "limit", ...; "" otherwise). `history_recorded`:
    the sign-in that started or re-authenticated it wrote its sign-in history entry already,
    in its own transaction (`idp.account.sign_ins.record_passkey_use`). `ends_at`: when the
    session runs out unless it is used again (its idle or absolute end, under the session
    policy); `longest_seconds`: the longest any session lives (`[session]`'s absolute
    lifetime), how long a note about one is worth keeping. Listeners get these, not the
    `SessionPolicy` and its HMAC key."""

    event: SessionEvent
    session: SsoSession
    ends_at: float
    longest_seconds: int
    reason: str = ""
    history_recorded: bool = False


class SessionListener(Protocol):
    def __call__(self, change: SessionChange) -> None: ...


def add_listener(app: Flask, listener: SessionListener) -> None:
    """Call `listener(change)` for each session started, re-authenticated or ended."""
    LISTENERS.of(app).append(listener)


def _announce(event: SessionEvent, session: SsoSession, *, reason: str = "",
              history_recorded: bool = False) -> None:
    # A listener (back-channel logout) only enqueues work; its failure never fails the request.
    policy = _policy()
    change = SessionChange(event=event, session=session, ends_at=session.ends_at(policy),
                           longest_seconds=policy.absolute_seconds, reason=reason,
                           history_recorded=history_recorded)
    for listener in LISTENERS.of():
        try:
            listener(change)
        except Exception:
            log.exception("session listener failed", extra={"event": event.value, "sid": session.sid})


class LoginRequired(Exception):
    """The page or API needs a signed-in citizen."""


class AccountMismatch(Exception):
    """A sign-in as `citizen_id` in a browser where `signed_in` (another citizen) is signed in:
    refused, the session stays as it was (answered 409 `account_mismatch`). Raised inside the
    sign-in's transaction, it also rolls back what the sign-in wrote (a spent code, a history
    entry, an audit record)."""

    def __init__(self, *, citizen_id: str, signed_in: str) -> None:
        super().__init__("a sign-in as another citizen than the one signed in to this browser")
        self.citizen_id = citizen_id
        self.signed_in = signed_in


def session_policy(app: Flask | None = None) -> SessionPolicy:
    """How long sessions live and how their tokens are keyed (default: the current application)."""
    return POLICY.of(app)


def _policy() -> SessionPolicy:
    return POLICY.of()


def cookie_name() -> str:
    settings = get_settings()
    return ("__Host-" if settings.secure else "") + str(settings["session"]["cookie_name"])


def _loaded(cookies: Mapping[str, str] | None = None) -> SsoSession | None:
    """This request's session, read once per request (`cookies`: the request's, when it is
    not read through `flask.request`)."""
    cached = g.get("sso_session", _UNSET)
    if cached is _UNSET:
        token = (request.cookies if cookies is None else cookies).get(cookie_name(), "")
        loaded = records.load(get_store(current_app), _policy(), token, time.time()) if token else None
        # The browser had a session and it has ended (expired, closed elsewhere): kept as such
        # for `_ended_under_request` (the sign-in page says why it is shown).
        g.sso_session = _GONE if token and loaded is None else loaded
        return loaded
    return None if cached is _GONE else cached


def _ended_under_request() -> bool:
    """Whether this request came with a session that had ended (and none started since)."""
    return g.get("sso_session", _UNSET) is _GONE


def current_session(*, allow_recovery: bool = False) -> SsoSession | None:
    """This browser's live session, or None (recovery sessions only when allowed)."""
    return _live(_loaded(), allow_recovery)


def session_from_cookies(cookies: Mapping[str, str], *, allow_recovery: bool = False) -> SsoSession | None:
    """`current_session` for a request read without `flask.request` (a direct route,
    `infra.web.direct_routes`), from its cookies."""
    return _live(_loaded(cookies), allow_recovery)


def _live(session: SsoSession | None, allow_recovery: bool) -> SsoSession | None:
    if session is None or (session.recovery and not allow_recovery):
        return None
    if session.recovery and not _recovery_holds(session):
        return None
    return session


def check_recovery_with(app: Flask, check: Callable[[SsoSession], bool]) -> None:
    """`check(session)`: whether what opened this recovery session still holds (the account's
    recovery generation it recorded). Without a check installed no recovery session is live."""
    RECOVERY_CHECKS.of(app).append(check)


def _recovery_holds(session: SsoSession) -> bool:
    """A recovery session whose opening was superseded (a desk recovery, new codes, a reclaim)
    ends here, with its record: also one started after the desk ended the account's sessions."""
    checks = RECOVERY_CHECKS.of()
    if checks and session.opened_by is not None and all(check(session) for check in checks):
        return True
    log.info("recovery session superseded", extra={"sid": session.sid, "citizen_id": session.citizen_id})
    if g.get("sso_session", _UNSET) is session:
        g.sso_session = _GONE
    _end(get_store(current_app), session, reason="recovery_superseded")
    return False


def require_citizen(*, allow_recovery: bool = False) -> SsoSession:
    session = current_session(allow_recovery=allow_recovery)
    if session is None:
        raise LoginRequired()
    return session


def signed_in() -> bool:
    return _loaded() is not None


def _set_cookie(response: BaseResponse, token: str, lifetime: int) -> None:
    settings = get_settings()
    response.set_cookie(cookie_name(), token, max_age=lifetime, path="/", httponly=True,
                        samesite="Lax", secure=settings.secure)


def continues(citizen_id: str, *, recovery: bool = False) -> bool:
    """Whether `start_session(citizen_id=..., recovery=...)` would re-authenticate this browser's
    session (the same citizen, signed in with a passkey) rather than start a new one."""
    previous = _loaded()
    return (previous is not None and not recovery and not previous.recovery
            and previous.citizen_id == citizen_id)


def ensure_may_start(citizen_id: str, *, replace_other: bool = False) -> None:
    """Raise `AccountMismatch` when `start_session(citizen_id=...)` would replace the live
    session of another citizen (see the module docstring). A sign-in that writes (spends a
    code, records history) calls it inside its transaction, before the commit; `start_session`
    calls it again. `replace_other`: the person confirmed ending the other citizen's session."""
    signed_in = current_session()
    if signed_in is not None and signed_in.citizen_id != citizen_id and not replace_other:
        log.info("sign-in refused: another citizen is signed in",
                 extra={"sid": signed_in.sid, "citizen_id": citizen_id})
        raise AccountMismatch(citizen_id=citizen_id, signed_in=signed_in.citizen_id)


def start_session(response: BaseResponse, *, citizen_id: str, amr: tuple[str, ...] | list[str],
                  credential_id: str | None = None, recovery: bool = False,
                  opened_by: str | None = None, history_recorded: bool = False,
                  replace_other: bool = False, pid: str | None = None) -> SsoSession:
    """Sign the browser in (`pid`: a wallet sign-in's PID facts, `SsoSession.pid`). The citizen
    already signed in here is re-authenticated (same sid,
    new token); another citizen's live session is not replaced (`AccountMismatch`) unless
    `replace_other` (the person confirmed it); a recovery session of this browser ends, with
    back-channel logout. `history_recorded`: the caller wrote this sign-in's history entry
    already (the listeners are told, `SessionChange.history_recorded`). `opened_by`: a recovery
    session's recovery generation, read before the code that opens it was spent."""
    ensure_may_start(citizen_id, replace_other=replace_other)
    store = get_store(current_app)
    previous = _loaded()
    if previous is not None and continues(citizen_id, recovery=recovery):
        return reauthenticate(response, session=previous, amr=amr, credential_id=credential_id,
                              history_recorded=history_recorded, pid=pid)
    if previous is not None:
        _end(store, previous, reason="replaced")
    return _started(response, citizen_id=citizen_id, amr=amr, credential_id=credential_id,
                    recovery=recovery, history_recorded=history_recorded, opened_by=opened_by, pid=pid)


def _started(response: BaseResponse, *, citizen_id: str, amr: tuple[str, ...] | list[str],
             credential_id: str | None, recovery: bool, history_recorded: bool,
             opened_by: str | None = None, pid: str | None = None) -> SsoSession:
    """A new session (new sid) for this browser, its cookie on `response`."""
    store = get_store(current_app)
    created = records.create(
        store, _policy(), citizen_id=citizen_id, amr=tuple(amr),
        user_agent=request.headers.get("User-Agent", ""), credential_id=credential_id,
        recovery=recovery, now=time.time(), opened_by=opened_by, pid=pid)
    token, session = created.token, created.session
    for oldest in created.ended:  # beyond [session] max_per_citizen: ended, agencies told
        log.info("session ended", extra={"sid": oldest.sid, "citizen_id": oldest.citizen_id,
                                         "reason": "limit"})
        _announce(SessionEvent.ENDED, oldest, reason="limit")
    _set_cookie(response, token, _policy().recovery_seconds if recovery else _policy().absolute_seconds)
    ended.forget(response)  # signed in again: the sign-in page need not say why any more
    g.sso_session = session
    log.info("session started", extra={"sid": session.sid, "citizen_id": citizen_id,
                                       "amr": list(amr), "recovery": recovery})
    _announce(SessionEvent.STARTED, session, history_recorded=history_recorded)
    return session


def _end(store: EphemeralStore, session: SsoSession, *, reason: str) -> None:
    """End `session` and tell the listeners, once: a session two requests end at the same time
    (a sign-out and the sessions page) is announced by the one that ended it."""
    if not records.end(store, session):
        return
    log.info("session ended", extra={"sid": session.sid, "citizen_id": session.citizen_id,
                                     "reason": reason})
    _announce(SessionEvent.ENDED, session, reason=reason)


def reauthenticate(response: BaseResponse, *, session: SsoSession, amr: tuple[str, ...] | list[str],
                   credential_id: str | None, history_recorded: bool = False,
                   pid: str | None = None) -> SsoSession:
    """The signed-in citizen proved themselves again (prompt=login, max_age): keep the `sid`,
    so no agency is logged out, but rotate the cookie's token and renew auth_time and amr (and
    the PID: `pid`, a wallet sign-in's; a passkey check leaves none)."""
    rotated = records.rotate(get_store(current_app), _policy(), session, amr=tuple(amr),
                             credential_id=credential_id, now=time.time(), pid=pid)
    if rotated is None:  # ended meanwhile (a sign-out racing this sign-in): a new session, not that one
        g.sso_session = None
        log.info("session ended while re-authenticated: a new one started",
                 extra={"sid": session.sid, "citizen_id": session.citizen_id})
        return _started(response, citizen_id=session.citizen_id, amr=amr, credential_id=credential_id,
                        recovery=False, history_recorded=history_recorded, pid=pid)
    token, renewed = rotated
    _set_cookie(response, token, _policy().absolute_seconds)
    g.sso_session = renewed
    log.info("session re-authenticated", extra={"sid": renewed.sid, "citizen_id": renewed.citizen_id,
                                                "amr": list(amr)})
    _announce(SessionEvent.REAUTHENTICATED, renewed, history_recorded=history_recorded)
    return renewed


def end_session(response: BaseResponse | None = None, *, sid: str | None = None,
                reason: str = "logout") -> None:
    """End the session `sid`, or this browser's session (clearing the cookie on `response`);
    every agency signed in through it is told (back-channel logout, idp.logout)."""
    store = get_store(current_app)
    if sid is not None:
        session = records.by_sid(store, _policy(), sid, time.time())
    else:
        session = _loaded()
        g.sso_session = None
    if session is not None:
        _end(store, session, reason=reason)
    if response is not None and sid is None:
        settings = get_settings()
        response.delete_cookie(cookie_name(), path="/", httponly=True, samesite="Lax",
                               secure=settings.secure)


def sessions_for(citizen_id: str) -> list[SsoSession]:
    return records.for_citizen(get_store(current_app), _policy(), citizen_id, time.time())


# RFC 6265 section 4.1.1 allows more (any token), but these are what every browser and proxy keeps.
COOKIE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _checked(settings: Mapping[str, Any]) -> Section:
    """`[session]` that can work, or ConfigError naming the setting when the app is built: a
    negative idle_seconds ended every session at once, and a cookie name with a space or `;`
    was sent as a cookie no browser gives back (every sign-in came back to the sign-in page)."""
    section = read_section(settings, "session")
    for key in ("idle_seconds", "absolute_seconds"):
        section.whole(key, minimum=60, maximum=MAX_SECONDS, unit="seconds")
    # at most 1,000,000: far above the browsers and devices of one person, and what the
    # benchmarks set to measure a sign-in without the cap's work (bench/scenarios.py); 1e15
    # switched the cap off, and one citizen's sessions piled up in the store until each expired
    section.whole("max_per_citizen", minimum=1, maximum=1_000_000)
    # a recovery sign-in only adds a passkey: a minute at least to do it, a day at most
    read_section(settings, "recovery").whole("session_seconds", minimum=60, maximum=86400, unit="seconds")
    if not COOKIE_NAME.fullmatch(str(section.values.get("cookie_name", ""))):
        raise section._refuse("cookie_name", "a cookie name of letters, digits, '-' and '_' (RFC 6265 section 4.1.1)")
    return section


def init_app(app: Flask) -> None:
    settings = get_settings(app)
    session = _checked(settings)
    LISTENERS.install(app, [])
    RECOVERY_CHECKS.install(app, [])
    POLICY.install(app, SessionPolicy(
        key=get_secrets(app).key("session"),
        idle_seconds=int(session.values["idle_seconds"]),
        absolute_seconds=int(session.values["absolute_seconds"]),
        recovery_seconds=int(settings["recovery"]["session_seconds"]),
        max_per_citizen=int(session.values["max_per_citizen"]),
    ))
    app.jinja_env.globals["signed_in"] = signed_in
    app.jinja_env.globals["session_ended"] = ended.marked

    @app.errorhandler(LoginRequired)
    def _login_required(_exc: LoginRequired) -> ResponseReturnValue:
        if wants_json():
            return json_error(401, "login_required", _("session.login_required"))
        if request.method == "GET" and current_session(allow_recovery=True) is not None:
            # Signed in with a recovery code, which only adds a passkey: the sign-in page would
            # offer the passkey they lost, or spend another code. The account says what to do.
            return redirect("/account?error=recovery_first", code=303)
        # A form sent without a session comes back, after signing in, to the page it was sent from.
        target = page_address() if request.method == "GET" else ended.return_page()
        response = redirect("/login?next=" + quote(target, safe="/"), code=302)
        # A form sent without a session: it ended while the page was open (the page needed one).
        return ended.mark(response) if ended.sent_a_form() else response

    @app.after_request
    def _mark_ended(response: BaseResponse) -> BaseResponse:
        # A form sent with a session that has ended, answered by a redirect (the consent form's
        # to /authorize/continue, then /login): the sign-in page says why it is shown.
        if ended.sent_a_form() and _ended_under_request() and 300 <= response.status_code < 400 \
                and not wants_json():
            ended.mark(response)
        return response

    @app.errorhandler(AccountMismatch)
    def _account_mismatch(_exc: AccountMismatch) -> ResponseReturnValue:
        return no_store(respond(409, "account_mismatch", _("session.account_mismatch"),
                                _("session.account_mismatch.title")))
