"""A fresh passkey check before a sensitive account action (issue 12).

Adding or deleting a passkey, new recovery codes, closing the account and signing change what
the account is or speak in the citizen's name. They need a passkey assertion with user
verification at most `account.reauth_seconds` old in this session (NIST SP 800-63B, section
4.2.3 / 7.2: re-authentication before sensitive operations). A copied session cookie alone
therefore cannot make a takeover permanent: whoever holds only the cookie cannot add their
own passkey or take recovery codes. A re-check also rotates the session's token
(`idp.sessions.reauthenticate`), so a cookie copied before it stops working.

`is_fresh` decides; the rest maps "not fresh" to a response:

- a page (GET): 303 to `/account/reauth?next=<the page>`, which comes back after the check;
- a form (POST): the re-check page, holding the same form (same action, the fields the view
  names, a CSRF token for this browser) that the page submits again once the check passed;
- a JSON API: 403 `reauthentication_required`, with `reauth_uri` to send the citizen to.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from urllib.parse import quote

from flask import Response, jsonify, render_template, request

from idp.account.settings import account_settings
from idp.assurance.amr import user_verified
from idp.sessions import SsoSession
from infra.web.caching import no_store
from infra.web.i18n import gettext as _
from infra.web.i18n import page_address

ACTIONS = ("add_passkey", "delete_passkey", "recovery_codes", "close", "sign", "desk_code", "trust_passkey",
           "wallet_offer")
CLOCK_SKEW = 5  # seconds an auth_time may lie ahead (several workers' clocks)
RECOVER = "/recover"


def _now() -> float:
    return time.time()


def is_fresh(session: SsoSession, *, now: float, max_age: int) -> bool:
    """Whether the session's last check is recent enough for a sensitive action.

    The check is the sign-in or re-check with a user-verified passkey (amr `mfa`, `pin`,
    ...). A recovery session's check is the recovery code it was opened with, and such a
    session can only add a passkey; it is fresh for the same `max_age`.
    """
    age = now - session.auth_time
    if age > max_age or age < -CLOCK_SKEW:
        return False
    return session.recovery or user_verified(session.amr)


def fresh(session: SsoSession) -> bool:
    """`is_fresh`, and checked with one of the account's passkeys (or a recovery session, whose
    only use is adding one). Every action of `ACTIONS` belongs to whoever holds the account's
    passkeys. A wallet session proves who is at the browser, not that the account's passkeys
    are theirs: someone may have enrolled the person's details with their own passkey (then
    the wallet's holder could delete the other's passkeys, close the account or, adding one,
    raise the proofing the other's passkey inherits), and a cross-device wallet sign-in may
    have been handed to someone else's browser (docs/wallet.md). It re-checks with a passkey
    of the account first, which makes it a passkey session; `/reclaim` is the way for an
    identity enrolled by someone else. A check made with a passkey since marked suspect, or
    whose model the FIDO metadata reports compromised (whoever bypasses its user verification
    or extracted its key holds it too), is none (`refused_check`): the citizen re-checks with
    another passkey, or goes to the desk."""
    return _fresh(session, allow_reported=False)


def fresh_to_add_passkey(session: SsoSession) -> bool:
    """`fresh`, but a check with a passkey of a reported model counts: adding a passkey is how
    the citizen replaces it, and such an addition takes the account's proofing back to low
    (`idp.webauthn.views`), so it gives whoever holds the reported passkey nothing more."""
    return _fresh(session, allow_reported=True)


def _fresh(session: SsoSession, *, allow_reported: bool) -> bool:
    if not is_fresh(session, now=_now(), max_age=account_settings().reauth_seconds):
        return False
    if session.recovery:
        return True
    if session.credential_id is None:
        return False
    refused = refused_check(session)
    return refused is None or (allow_reported and refused == "reported")


def refused_check(session: SsoSession) -> str | None:
    """Why the passkey the session was last checked with makes no check for `ACTIONS`:
    "suspect" (`_blocked`), "removed" (no longer the account's), "reported" (its model, per
    the FIDO metadata), else None."""
    if session.recovery or session.credential_id is None:
        return None
    return passkey_refusal(session.credential_id, citizen_id=session.citizen_id)


def passkey_refusal(credential_id: str, *, citizen_id: str) -> str | None:
    """Why a check made with this passkey (base64url) vouches for nothing now: "suspect",
    "removed" (no longer `citizen_id`'s), "reported" (its model), else None. Also for what
    such a check started and that outlives its session (a wallet offer, a wallet's code)."""
    blocked = _blocked(credential_id, citizen_id=citizen_id)
    if blocked is not None:
        return blocked
    return "reported" if _reported(credential_id) else None


def _blocked(credential_id: str, *, citizen_id: str) -> str | None:
    """"suspect" when the passkey the session was checked with is marked suspect (a clone
    signal), "removed" when the account no longer has it (the citizen removed a lost device's
    passkey, a registrar's recovery or a reclaim ended it), else None. Its sessions ended then,
    but one whose sign-in committed just before started just after: it outlives that, and its
    check, made with a passkey that may be the clone's or the thief's, is none."""
    import uuid

    import sqlalchemy as sa
    from flask import current_app

    from idp.citizens.models import Passkey
    from idp.webauthn.encoding import from_b64url
    from infra.db import get_db

    try:
        raw = from_b64url(credential_id, limit=1023)
        owner = uuid.UUID(citizen_id)
    except ValueError:
        return "removed"
    with get_db(current_app).read() as db:
        found = db.execute(sa.select(Passkey.suspect_since).where(
            Passkey.credential_id == raw, Passkey.citizen_id == owner)).first()
    if found is None:
        return "removed"
    return "suspect" if found.suspect_since is not None else None


def ended_passkey(credential_id: str, *, citizen_id: str) -> str | None:
    """"removed" or "suspect" (`_blocked`) for a passkey sign-in to check once its session is
    written: a desk recovery, a reclaim, a deletion or a clone signal that committed after the
    sign-in's transaction ended the account's sessions before this one existed."""
    return _blocked(credential_id, citizen_id=citizen_id)


def check_ended(session: SsoSession) -> bool:
    """Read once what a passkey check allowed is committed (a passkey added, new recovery
    codes): whether the passkey the session was checked with is ended now (`ended_passkey`). A
    desk recovery or reclaim (every passkey and code deleted), the owner deleting it (a thief's)
    or a clone signal that committed after the check, before the action did, could not see
    what the action wrote: the caller undoes it. One that commits after this read sees it."""
    return session.credential_id is not None and ended_passkey(
        session.credential_id, citizen_id=session.citizen_id) is not None


def _reported(credential_id: str) -> bool:
    from flask import current_app

    from idp.assurance.services import reported_passkey
    from infra.db import get_db

    with get_db(current_app).read() as db:
        return reported_passkey(db, credential_id) is not None


def fresh_with_passkey(session: SsoSession) -> bool:
    """`fresh` (every sensitive action needs the account's passkey now; kept for its callers)."""
    return fresh(session)


def recheck_uri(next_page: str) -> str:
    return "/account/reauth?next=" + quote(next_page, safe="/")


def page_target() -> str:
    return page_address()


def recheck_redirect(next_page: str | None = None) -> Response:
    """For a page: go through the passkey re-check, then back to `next_page` (this page)."""
    response = Response(status=303)
    response.headers["Location"] = recheck_uri(next_page or page_target())
    return no_store(response)


def recheck_form(*, action: str, keep: Iterable[str] = (), back: str = "/account") -> Response:
    """For a form POST: the re-check page, which submits the same form again afterwards.

    Only the fields named in `keep` are carried over (never the CSRF token: the page puts a
    fresh one in, for this browser's cookie); the form goes to this same path.
    """
    fields = [(name, value[:500]) for name in keep for value in request.form.getlist(name)[:1]]
    body = render_template("account/reauth.html", action=action, resubmit=request.path,
                           fields=fields, next=back, minutes=minutes(), refused=current_refused())
    response = Response(body, status=200, mimetype="text/html")
    return no_store(response)


def recheck_api(session: SsoSession, *, action: str, next_page: str) -> Response:
    """For a JSON API: 403 `reauthentication_required`, with `reauth_uri`, the re-check page
    that returns to `next_page` (where the citizen starts the action again). A recovery
    session has no passkey to re-check with: its way back is another recovery code."""
    if session.recovery:
        description = _("recheck.api_recovery", minutes=minutes())
        uri = RECOVER
    else:
        description = _("recheck.api", action=_(f"recheck.action.{action}"), minutes=minutes())
        uri = recheck_uri(next_page)
    response = jsonify(error="reauthentication_required", error_description=description,
                       reauth_uri=uri)
    response.status_code = 403
    return no_store(response)


def current_refused() -> str | None:
    """`refused_check` of this browser's session (None without one): the re-check page says
    then to use another passkey, or the desk, since the same one would not do."""
    from idp.sessions import current_session

    session = current_session(allow_recovery=True)
    return refused_check(session) if session is not None else None


def minutes() -> int:
    return max(1, account_settings().reauth_seconds // 60)


__all__ = ["ACTIONS", "current_refused", "ended_passkey", "fresh", "fresh_to_add_passkey",
           "fresh_with_passkey", "is_fresh", "minutes", "page_target", "recheck_api", "recheck_form",
           "recheck_redirect", "recheck_uri", "refused_check"]
