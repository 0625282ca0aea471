"""The agency a citizen is dealing with, as the sign-in and consent pages show it: its name in
the citizen's language (clients.registry.localized) and its logo from Cédula's own origin
(clients.registry.logos). Reads only what is stored: no citizen request fetches a logo."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask import current_app

from clients.registry import Client, ClientNotFound, find_client, localized
from clients.registry.logos import logo_for, url_of
from idp.oidc import interaction_binding, interactions
from idp.oidc.agency_names import shown_name
from infra.db import get_db
from infra.store import get_store
from infra.web.i18n import current_language, use_ui_locales


@dataclass(frozen=True)
class AgencyView:
    client_id: str
    name: str
    purpose: str | None
    logo_url: str | None  # /agency-logos/<sha256>.<ext>, or None: the name alone


def agency_view(client: Client, locale: str | None = None, *, with_logo: bool = True) -> AgencyView:
    """Name and purpose in the citizen's language; the kept logo's URL (one small query)
    unless `with_logo` is false."""
    language = locale or current_language()
    logo_url = None
    if with_logo:
        with get_db(current_app).read() as session:
            logo = logo_for(session, client.client_id, language)
            logo_url = url_of(logo) if logo is not None else None
    return AgencyView(client_id=client.client_id, name=shown_name(client, language),
                      purpose=localized(client.client_metadata, "purpose", language), logo_url=logo_url)


def agency_of_next(target: str) -> AgencyView | None:
    """The agency whose authorization request the sign-in page continues (`next` is
    /authorize/continue?interaction=...), or None for any other destination."""
    parts = urlsplit(target)
    if parts.path != "/authorize/continue":
        return None
    interaction = interactions.load(get_store(current_app), (parse_qs(parts.query).get("interaction") or [""])[0])
    if interaction is None or not interaction_binding.holds(interaction):
        return None  # gone, or another browser's request: the sign-in page names no agency
    use_ui_locales(interaction.request.ui_locales)  # the sign-in page speaks the request's language
    with get_db(current_app).read() as session:
        try:
            client = find_client(session, interaction.request.client_id)
        except ClientNotFound:
            return None
    return agency_view(client)
