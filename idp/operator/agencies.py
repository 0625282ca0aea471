"""Console: agencies (OIDC clients) — list, search, details, register, disable/enable, rotate a
secret, approve a back-channel logout URI, grant restricted scopes, issue an initial access
token. Every action goes through `clients.registry` (the same services and validation as the
CLI and RFC 7591/7592) and into the operator audit trail in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, redirect, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from clients.registry import RESTRICTED_SCOPES, ClientMetadataError, ClientRegistryError
from clients.registry.logos import logos_of, refresh_logos, upload_logo, url_of
from clients.registry.metadata import (
    ASSURANCE_LEVELS,
    AUTH_METHODS,
    DEFAULT_SCOPES,
    SECURITY_PROFILES,
    SUBJECT_TYPES,
)
from clients.registry.models import Client
from clients.registry.operator import OperatorRegistration, grant_scopes, register_by_operator
from clients.registry.raster import MAX_BYTES, ImageRefused
from clients.registry.services import (
    approve_backchannel,
    find_client,
    issue_initial_token,
    list_clients,
    rotate_secret,
    sector_of,
    set_enabled,
)
from idp.oidc.current import provider
from idp.operator import form_marks, services
from idp.operator.guard import now, operator_page, render
from idp.registrar.services import Actor
from infra.db import get_db
from infra.web.errors import error_page
from infra.web.i18n import gettext as _

bp = Blueprint("operator_agencies", __name__, url_prefix="/operator")
DONE = {"disabled", "enabled", "backchannel", "scopes", "logo", "registered"}
MAX_LINES = 20


def _lines(name: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in request.form.get(name, "")[:20000].splitlines() if line.strip())


def _matches(client: Client, query: str) -> bool:
    if not query:
        return True
    metadata = client.client_metadata
    haystack = " ".join([client.client_id, str(metadata.get("client_name", "")),
                         " ".join(metadata.get("redirect_uris", [])), " ".join(metadata.get("contacts", []))])
    return query.casefold() in haystack.casefold()


@bp.get("/agencies")
@operator_page
def index(actor: Actor) -> BaseResponse:
    query = request.args.get("q", "")[:100].strip()
    with get_db(current_app).read() as session:
        found = [c for c in list_clients(session) if _matches(c, query)]
    return render("operator/agencies.html", actor=actor, agencies=found, query=query)


def _form_page(actor: Actor, *, values: dict[str, Any], error: ClientMetadataError | None = None,
               status: int = 200) -> BaseResponse:
    return render("operator/agency_new.html", status, actor=actor, values=values, error=error,
                  auth_methods=AUTH_METHODS, subject_types=SUBJECT_TYPES, profiles=SECURITY_PROFILES,
                  assurance_levels=ASSURANCE_LEVELS, scopes=DEFAULT_SCOPES + tuple(RESTRICTED_SCOPES))


EMPTY = {"name": "", "redirect_uris": "", "post_logout_uris": "", "backchannel_logout_uri": "",
         "auth_method": "client_secret_basic", "jwks_uri": "", "scopes": ["openid", "profile", "email"],
         "subject_type": "pairwise", "purpose": "", "contacts": "", "security_profile": "",
         "name_en": "", "logo_uri": "", "max_assurance_level": "", form_marks.FIELD: ""}


@bp.get("/agencies/new")
@operator_page
def new(actor: Actor) -> BaseResponse:
    return _form_page(actor, values={**EMPTY, form_marks.FIELD: form_marks.new_mark()})


@bp.post("/agencies/new")
@operator_page
def register(actor: Actor) -> BaseResponse:
    form = request.form
    values: dict[str, Any] = {key: form.get(key, "")[:4000] for key in EMPTY if key != "scopes"}
    values["scopes"] = form.getlist("scope")
    name = values["name"].strip()
    if not name:
        return _form_page(actor, values=values, status=400,
                          error=ClientMetadataError("client_name", _("operator.agency.error.name")))
    answers = OperatorRegistration(
        name=name, redirect_uris=_lines("redirect_uris"), post_logout_uris=_lines("post_logout_uris"),
        backchannel_logout_uri=values["backchannel_logout_uri"].strip() or None,
        auth_method=values["auth_method"], jwks_uri=values["jwks_uri"].strip() or None,
        scopes=tuple(values["scopes"]), subject_type=values["subject_type"],
        purpose=values["purpose"].strip() or None, contacts=_lines("contacts"),
        security_profile=values["security_profile"] if values["security_profile"] in SECURITY_PROFILES else None,
        localized={"client_name#en": values["name_en"].strip()} if values["name_en"].strip() else {},
        logo_uri=values["logo_uri"].strip() or None,
        # An unknown level reaches the registry's check and comes back as a field error.
        max_assurance_level=values["max_assurance_level"].strip() or None)
    # The same form sent again (a double click) registers nothing more: it is shown the agency
    # the first post registered (whose secret that answer showed, or a rotation makes anew).
    once = form_marks.claim("agency.new", actor.name, values[form_marks.FIELD])
    if not once.fresh:
        if once.made is None:
            return error_page(409, _("operator.agencies.title"), _("operator.agency.error.in_progress"))
        return redirect(f"/operator/agencies/{once.made}?done=registered", code=303)
    try:
        with get_db(current_app).transaction() as session:
            registration = register_by_operator(session, answers)
            client = registration.client
            services.record(session, actor=actor, action="agency.registered", now=now(),
                            details={"client_id": client.client_id, "scope": client.client_metadata.get("scope", "")})
            client_id = client.client_id
    except ClientMetadataError as exc:
        once.release()
        return _form_page(actor, values=values, error=exc, status=400)
    except BaseException:
        once.release()
        raise
    once.done(client_id)
    refresh_logos(get_db(current_app), client_id)  # a failure shows on the agency's page
    return render("operator/agency_secret.html", actor=actor, client_id=client_id,
                  secret=registration.client_secret, registered=True)


def _details(actor: Actor, client_id: str, *, error: str | None = None, status: int = 200) -> BaseResponse:
    with get_db(current_app).read() as session:
        try:
            client = find_client(session, client_id, enabled_only=False)
        except ClientRegistryError:
            return error_page(404, _("operator.agencies.title"), _("operator.agency.not_found"))
        sector = sector_of(client)
        logos = [(row, url_of(row) if row.sha256 else None) for row in logos_of(session, client.client_id)]
    held = str(client.client_metadata.get("scope", "")).split()
    done = request.args.get("done")
    return render("operator/agency.html", status, actor=actor, client=client, metadata=client.client_metadata,
                  sector=sector, grantable=[s for s in RESTRICTED_SCOPES if s not in held],
                  error=error, done=done if done in DONE else None, logos=logos, max_kib=MAX_BYTES // 1024)


@bp.get("/agencies/<client_id>")
@operator_page
def details(actor: Actor, client_id: str) -> BaseResponse:
    return _details(actor, client_id[:64])


def _act(actor: Actor, client_id: str, action: str, change: Callable[[Session], Any],
         details: dict[str, Any] | None = None) -> tuple[Any, str | None]:
    """Run `change(session)` on the client and record it; the error key, or None."""
    try:
        with get_db(current_app).transaction() as session:
            result = change(session)
            services.record(session, actor=actor, action=action, now=now(),
                            details={"client_id": client_id, **(details or {})})
    except ClientMetadataError as exc:
        return None, exc.description
    except ClientRegistryError:
        return None, _("operator.agency.not_found")
    provider().clients.clear()  # client authentication must see the change at once
    return result, None


@bp.post("/agencies/<client_id>/state")
@operator_page
def state(actor: Actor, client_id: str) -> BaseResponse:
    enabled = request.form.get("enabled") == "1"
    _, error = _act(actor, client_id, "agency.enabled" if enabled else "agency.disabled",
                    lambda session: set_enabled(session, client_id, enabled=enabled))
    return _acted(actor, client_id, error, done="enabled" if enabled else "disabled")


@bp.post("/agencies/<client_id>/secret")
@operator_page
def secret(actor: Actor, client_id: str) -> BaseResponse:
    secret, error = _act(actor, client_id, "agency.secret_rotated",
                         lambda session: rotate_secret(session, find_client(session, client_id, enabled_only=False)))
    if error or secret is None:
        return _details(actor, client_id, error=error or _("operator.agency.no_secret"), status=400)
    return render("operator/agency_secret.html", actor=actor, client_id=client_id, secret=secret,
                  registered=False)


def _acted(actor: Actor, client_id: str, error: str | None, *, done: str) -> BaseResponse:
    """After an action on an agency: its page again with the error, or a 303 back to it
    saying what was done."""
    if error:
        return _details(actor, client_id, error=error, status=400)
    return redirect(f"/operator/agencies/{client_id}?done={done}", code=303)


@bp.post("/agencies/<client_id>/backchannel")
@operator_page
def backchannel(actor: Actor, client_id: str) -> BaseResponse:
    uri = request.form.get("uri", "")[:2000].strip()
    _, error = _act(actor, client_id, "agency.backchannel_approved",
                    lambda session: approve_backchannel(session, client_id, uri), {"uri": uri})
    return _acted(actor, client_id, error, done="backchannel")


@bp.post("/agencies/<client_id>/scopes")
@operator_page
def scopes(actor: Actor, client_id: str) -> BaseResponse:
    wanted = [s[:40] for s in request.form.getlist("scope")][:10]
    _, error = _act(actor, client_id, "agency.scopes_granted",
                    lambda session: grant_scopes(session, client_id, wanted), {"scopes": wanted})
    return _acted(actor, client_id, error, done="scopes")


@bp.post("/agencies/<client_id>/logo")
@operator_page
def logo(actor: Actor, client_id: str) -> BaseResponse:
    """An operator uploads the agency's logo (PNG, JPEG or WebP, checked like a fetched one)."""
    upload = request.files.get("logo")
    data = upload.stream.read(MAX_BYTES + 1) if upload is not None else b""
    if not data:
        return _details(actor, client_id, error=_("operator.agency.logo.missing"), status=400)
    try:
        _kept, error = _act(actor, client_id, "agency.logo_uploaded",
                        lambda session: (find_client(session, client_id, enabled_only=False),
                                         upload_logo(session, client_id=client_id, data=data, now=now())),
                        {"bytes": len(data)})
    except ImageRefused as exc:
        return _details(actor, client_id, error=_("operator.agency.logo.refused", reason=str(exc)), status=400)
    return _acted(actor, client_id, error, done="logo")


@bp.post("/agencies/<client_id>/logo/fetch")
@operator_page
def fetch_logo(actor: Actor, client_id: str) -> BaseResponse:
    """Fetch the agency's logo_uri again (after the agency fixed it); failures show on the page."""
    outcomes = refresh_logos(get_db(current_app), client_id)
    with get_db(current_app).transaction() as session:
        services.record(session, actor=actor, action="agency.logo_fetched", now=now(),
                        details={"client_id": client_id,
                                 "failed": [o.language or "-" for o in outcomes if o.error]})
    return redirect(f"/operator/agencies/{client_id}?done=logo", code=303)


@bp.get("/initial-tokens")
@operator_page
def initial_token_form(actor: Actor) -> BaseResponse:
    return render("operator/initial_token.html", actor=actor, scopes=RESTRICTED_SCOPES, token=None, error=None)


@bp.post("/initial-tokens")
@operator_page
def initial_token(actor: Actor) -> BaseResponse:
    label = request.form.get("label", "")[:200].strip()
    chosen = [s for s in request.form.getlist("scope") if s in RESTRICTED_SCOPES]
    try:
        uses = int(request.form.get("uses", "1"))
        days = int(request.form.get("days", "7"))
    except ValueError:
        uses = days = 0
    if not 1 <= uses <= 1000 or not 1 <= days <= 365:
        return render("operator/initial_token.html", 400, actor=actor, scopes=RESTRICTED_SCOPES, token=None,
                      error=_("operator.token.error.numbers"))
    with get_db(current_app).transaction() as session:
        token = issue_initial_token(session, label=label, scopes=tuple(chosen), uses=uses,
                                    valid_for=timedelta(days=days))
        services.record(session, actor=actor, action="agency.initial_token", now=now(),
                        details={"label": label, "scopes": chosen, "uses": uses, "days": days})
    return render("operator/initial_token.html", actor=actor, scopes=RESTRICTED_SCOPES, token=token, error=None)
