"""More time on a page with a time limit (WCAG 2.2.1, Timing Adjustable).

A page the citizen reads or fills in while signed in (and an agency's request while they
decide) carries, through `_time_limit.html`, the seconds its limit has left, from the server.
`js/time-limit.js` warns the citizen at least `WARN_SECONDS` before it runs out, and the
dialog's "continue" button posts here (CSRF-protected) to refresh the session's idle clock
and, on an agency's request page, the kept interaction's lifetime. Never past the session's
absolute end. Refused with a 4xx the page turns into what to do next: 401 `session_ended`
(the session ended already), 410 `interaction_gone` (the agency's request is answered or gone).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from idp.oidc import interaction_binding, interactions
from idp.oidc.current import provider
from idp.sessions import time_left
from infra.store import get_store
from infra.web.caching import no_store
from infra.web.csrf import validate_csrf
from infra.web.errors import json_error
from infra.web.i18n import gettext as _

bp = Blueprint("keep_alive", __name__)
WARN_SECONDS = 120  # WCAG 2.2.1: at least 20 seconds; the citizen gets two minutes


def time_limit(interaction: str | None = None) -> dict[str, Any] | None:
    """What the page's warning needs (a Jinja global): the seconds left (the session's, and on
    an agency's request page at most the interaction's, just kept for its full lifetime), or
    None without a session (no limit to warn of)."""
    left = time_left.current_seconds_left()
    if left is None:
        return None
    if interaction:
        left = min(left, provider().settings.interaction_seconds)
    return {"seconds": left, "minutes": max(1, (left + 59) // 60), "warn": WARN_SECONDS,
            "interaction": interaction or "", "url": url_for("keep_alive.extend")}


@bp.post("/session/keep-alive")
def extend() -> ResponseReturnValue:
    validate_csrf()
    left = time_left.keep_alive()
    if left is None:
        return no_store(json_error(401, "session_ended", _("time_limit.ended")))
    interaction = request.form.get("interaction")
    if interaction:
        ttl = min(left, provider().settings.interaction_seconds)
        kept = interactions.load(get_store(current_app), interaction)
        # Only the browser that started the request keeps it alive (`interaction_binding`).
        if kept is None or not interaction_binding.holds(kept) \
                or not interactions.extend(get_store(current_app), interaction, ttl=ttl):
            return no_store(json_error(410, "interaction_gone", _("time_limit.gone")))
        left = ttl
    return no_store(jsonify(seconds_left=left))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["time_limit"] = time_limit
