"""The language switch during an agency's request: the citizen's choice outlasts ui_locales.

An agency may ask for a language (OIDC Core 1.0 section 3.1.2.1 `ui_locales`), and every page
of its request speaks it (`use_ui_locales`), over the `lang` cookie. Without this, the switch on
the sign-in or consent page set the cookie and the next page spoke the agency's language again:
«Español» did nothing. When the switch leads back into a request in progress (its `next` is
/authorize/continue?interaction=..., or a page whose own `next` is), the request's ui_locales
becomes the language chosen, for the rest of that request.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

from flask import Flask, Response, request

from idp.oidc import interactions
from idp.oidc.current import provider
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


def remember(lang: str, target: str) -> None:
    """The request `target` continues, if any, speaks `lang` from now on."""
    interaction_id = interaction_of(target)
    if lang not in catalog().languages or interaction_id is None:
        return
    store = get_store()
    interaction = interactions.load(store, interaction_id)
    if interaction is None or interaction.request.ui_locales in (None, lang):
        return
    interactions.save(store, replace(interaction, request=replace(interaction.request, ui_locales=lang)),
                      ttl=provider().settings.interaction_seconds)


def init_app(app: Flask) -> None:
    @app.after_request
    def _language_chosen(response: Response) -> Response:
        if request.endpoint == SWITCH_ENDPOINT and response.status_code == 303:
            remember((request.view_args or {}).get("lang", ""), safe_next(request.args.get("next")))
        return response
