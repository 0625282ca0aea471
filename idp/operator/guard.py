"""Who may use the operator console, and the helpers every console page shares.

An operator is a citizen with the operator role signed in at level high with a passkey (the
assurance of *this* sign-in, not of the account): below it the console sends them to sign in
again with a passkey that reaches it, or refuses when none can. A citizen without the role,
or an agency (a bearer token is not a sign-in), gets 403. Every state-changing form is a POST
with the CSRF token and a passkey check at most `account.reauth_seconds` old (else the re-check
page, which sends the form again); every page is `no-store`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, ParamSpec

from flask import Response, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from idp.account import reauth
from idp.assurance.staff import Console, admitted_or_refusal
from idp.assurance.staff import console_page as no_store
from idp.operator import services
from idp.operator.errors import NotOperator
from idp.registrar.services import Actor
from idp.sessions import require_citizen
from infra.ops.metrics import count
from infra.web.csrf import validate_csrf

P = ParamSpec("P")


def now() -> datetime:
    return datetime.now(UTC)


CONSOLE = Console(name="operator", denied_title="operator.denied.title", denied_role="operator.denied.role",
                  denied_level="operator.denied.level")


def operator_or_refusal(back: str) -> Actor | BaseResponse:
    """The signed-in operator at level high, or the response that stops them."""
    return admitted_or_refusal(services.acting_operator, NotOperator, CONSOLE, back)


def operator_page(fn: Callable[..., BaseResponse | str]) -> Callable[..., BaseResponse]:
    """A console view: the guard first (a POST's CSRF token before it), then the view with
    `actor`; its answer is never cached."""

    @wraps(fn)
    def view(*args: Any, **kwargs: Any) -> BaseResponse:
        if request.method == "POST":
            validate_csrf()
        back = request.path if request.method == "GET" else "/operator"
        actor = operator_or_refusal(back)
        if isinstance(actor, BaseResponse):
            return no_store(actor)
        if request.method == "POST" and not reauth.fresh(require_citizen()):
            # A change made from the console (an agency registered or suspended, a role granted,
            # keys rotated) needs a passkey check at most `account.reauth_seconds` old: a session
            # left open, or a copied cookie, cannot make one. The re-check page sends the same
            # form again afterwards.
            count("operator", "reauthentication_required")
            return no_store(reauth.recheck_form(action="operator_change", back="/operator",
                                                keep=[name for name in request.form if name != "csrf_token"]))
        return no_store(fn(actor, *args, **kwargs))

    return view


def render(template: str, status: int = 200, **context: Any) -> Response:
    return Response(render_template(template, **context), status=status, mimetype="text/html")


def actor_citizen(actor: Actor) -> uuid.UUID:
    return uuid.UUID(actor.name.split(":", 1)[1])
