"""The pages of a wallet's answer handed over to the browser that asked (`idp.wallet.handover`):
shared by the sign-in, enrolment and proofing flows' "done" steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, render_template, request

from idp.wallet import handover
from idp.wallet.service import get_wallet
from infra.ops.metrics import count
from infra.store import get_store
from infra.web.caching import no_store
from infra.web.csrf import validate_csrf
from infra.web.ratelimit import hit


def _page(template: str, status: int = 200, **context: Any) -> Response:
    return no_store(Response(render_template(template, **context), status=status))


def handed_over(purpose: str, *, owns: Callable[[str], bool], action: str) -> str | Response | None:
    """Whose is the wallet's answer (`idp.wallet.handover`): the request's `state` when this
    browser asked for it and may act on it now; else the page to show instead (on the wallet's
    device: the confirmation code; in the browser that asked: the form to type it); None when
    there is nothing for this browser (the caller's "expired" page)."""
    store = get_store(current_app)
    ttl = get_wallet().settings.presentation_seconds
    response_code = request.args.get("response_code")
    if response_code is not None:
        found = handover.landing(store, response_code)
        if found is None or found.purpose != purpose:
            return None
        if owns(found.state):  # the wallet came back to the browser that asked
            handover.mark_confirmed(store, state=found.state, ttl=ttl)
            return found.state
        count("wallet.handover", "code_shown")
        return _page("wallet/handover_code.html", code=handover.shown(found.confirmation),
                     purpose=purpose)
    state = request.values.get("state", "")[:128]
    if not owns(state):
        return None
    if request.method == "POST":
        validate_csrf()
        hit("wallet-handover", limit=30, window=300)
        outcome = handover.confirm(store, state=state, entered=request.form.get("code", "")[:40],
                                   ttl=ttl)
        count("wallet.handover", outcome)
        if outcome == "ended":
            from idp.wallet import enrolment

            enrolment.drop(store, state=state)
            return None
        if outcome == "wrong":
            return _page("wallet/handover_enter.html", 400, state=state, action=action,
                         purpose=purpose, failed=True)
        return state
    if handover.confirmed(store, state=state):
        return state
    return _page("wallet/handover_enter.html", state=state, action=action, purpose=purpose,
                 failed=False)


__all__ = ["handed_over"]
