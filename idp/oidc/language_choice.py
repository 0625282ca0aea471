"""The language switch during an agency's request: the citizen's choice outlasts ui_locales.

An agency may ask for a language (OIDC Core 1.0 section 3.1.2.1 `ui_locales`), and every page
of its request speaks it (`use_ui_locales`), over the `lang` cookie. Without this, the switch on
the sign-in or consent page set the cookie and the next page spoke the agency's language again:
«Español» did nothing. When the switch leads back into a request in progress (its `next` is
/authorize/continue?interaction=..., or a page whose own `next` is), the request's ui_locales
becomes the language chosen, for the rest of that request. Another kind of request an agency
sends the citizen through with ui_locales (RP-Initiated Logout's confirmation, `idp.logout`)
joins with `follow`: its page names `language_return`, and its own `choose` stores the choice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

from flask import Flask, Response, current_app, request

from idp.oidc import interaction_binding, interactions
from idp.oidc.current import provider
from infra.components import Slot
from infra.store import get_store
from infra.web.i18n import catalog, safe_next

SWITCH_ENDPOINT = "i18n.choose_language"
CONTINUE_PATH = "/authorize/continue"


def interaction_of(target: str, depth: int = 3) -> str | None:
    """The id of the authorization request `target` leads back to: /authorize/continue's own, or
    the one of the `next` of a page on the way (sign-in, enrolment), a few levels deep."""
    parts = urlsplit(target)
    query = parse_qs(parts.query)
    if parts.path == CONTINUE_PATH:
        return (query.get("interaction") or [""])[0] or None
    following = (query.get("next") or [""])[0]
    if depth and following and safe_next(following, "") == following:
        return interaction_of(following, depth - 1)
    return None


Choose = Callable[[str, str], None]
# Path of a page leading back to another request in progress -> its query parameter naming
# the request, and how that request comes to speak a language: choose(lang, request_id).
FOLLOWED: Slot[dict[str, tuple[str, Choose]]] = Slot("requests the language switch follows")


def follow(app: Flask, path: str, parameter: str, choose: Choose) -> None:
    """The switch leading back to `path`?`parameter`=id makes that request speak the language
    (after `init_app`: the OpenID Provider is wired before single logout)."""
    FOLLOWED.of(app)[path] = (parameter, choose)


def _followed(lang: str, target: str) -> None:
    parts = urlsplit(target)
    parameter, choose = FOLLOWED.of(current_app).get(parts.path, (None, None))
    request_id = (parse_qs(parts.query).get(parameter) or [""])[0] if parameter else ""
    if choose is not None and request_id:
        choose(lang, request_id)


def remember(lang: str, target: str) -> None:
    """The request `target` continues, if any, speaks `lang` from now on."""
    if lang not in catalog().languages:
        return
    interaction_id = interaction_of(target)
    if interaction_id is None:
        _followed(lang, target)
        return
    store = get_store()
    interaction = interactions.load(store, interaction_id)
    if interaction is None or interaction.request.ui_locales in (None, lang):
        return
    if not interaction_binding.holds(interaction):
        return  # another browser's request (a planted link): not this browser's to change
    changed = replace(interaction, request=replace(interaction.request, ui_locales=lang))
    try:
        # Compare-and-set: a request answered since it was read is not brought back.
        interactions.replace_kept(store, interaction, changed, ttl=provider().settings.interaction_seconds)
    except interactions.InteractionGone:
        return


def init_app(app: Flask) -> None:
    FOLLOWED.install(app, {})

    @app.after_request
    def _language_chosen(response: Response) -> Response:
        if request.endpoint == SWITCH_ENDPOINT and response.status_code == 303:
            remember((request.view_args or {}).get("lang", ""), safe_next(request.args.get("next")))
        return response
