"""The citizen's data pages: connected agencies (withdraw access), the data-sharing log (and
its download), the export of all their data, consent receipts, closing the account."""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from clients.registry.localized import recognised
from clients.registry.services import agency_names, registered_metadata
from idp import audit
from idp.account import reauth
from idp.account.confirmation import Confirmation, Page, confirmation_page, see_other
from idp.audit import audit_log
from idp.audit import export as audit_export
from idp.audit.models import AuditEntry
from idp.consent import closure, readable, services
from idp.consent.agency_logout import end_all_sessions, logout_agency
from idp.consent.consents import get_consents
from idp.consent.errors import AccountClosed, AgencyNotConnected, CheckEnded
from idp.consent.export import account_export
from idp.consent.models import Consent
from idp.sessions import SsoSession, end_session, require_citizen
from infra.config import get_settings
from infra.db import get_db
from infra.ops.metrics import count
from infra.secrets import get_secrets
from infra.web.caching import no_store
from infra.web.csrf import validate_csrf
from infra.web.i18n import current_language
from infra.web.i18n import gettext as _
from infra.web.ratelimit import hit
from signing.render.report import report

log = logging.getLogger(__name__)
bp = Blueprint("consent", __name__, static_folder="static", static_url_path="/consent-static")

NOTICES = {"revoked"}
ERRORS = {"not_connected"}


def _now() -> datetime:
    return datetime.now(UTC)


def _download(body: str | Mapping[str, object], name: str, mimetype: str = "application/json") -> Response:
    data = json.dumps(body, ensure_ascii=False, indent=2) if not isinstance(body, str) else body
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return no_store(response)


def _citizen() -> SsoSession:
    return require_citizen()


@bp.get("/account/agencies")
def agencies() -> Response:
    session = _citizen()
    with get_db(current_app).read() as db:
        rows = services.connected(db, citizen_id=session.citizen_id)
        names = agency_names(db, [r.client_id for r in rows], current_language())
        standing = {a.consent_id for a in rows}
        earlier = [readable.receipt(c, text=_, now=_now())
                   for c in services.history(db, citizen_id=session.citizen_id) if str(c.id) not in standing]
        metadata = registered_metadata(db, {*(r.client_id for r in rows), *(e.client_id for e in earlier[:50])})
    rows = [dataclasses.replace(r, name=names.get(r.client_id, r.name),
                                purpose=recognised(metadata.get(r.client_id, {}), "purpose", r.purpose))
            for r in rows]
    earlier = [_in_its_language(item, metadata.get(item.client_id, {})) for item in earlier[:50]]
    notice = request.args.get("done")
    error = request.args.get("error")
    return no_store(Response(render_template(
        "consent/agencies.html", agencies=rows, now=_now(), section="agencies", earlier=earlier,
        notice=notice if notice in NOTICES else None, error=error if error in ERRORS else None)))


def _in_its_language(item: readable.Receipt, metadata: Mapping[str, Any]) -> readable.Receipt:
    """The receipt's stored agency name and purpose carrying the language the agency registered
    them in (`recognised`), for the pages to mark them (`lang_of`, WCAG 2.2 SC 3.1.2)."""
    return dataclasses.replace(item, agency=recognised(metadata, "client_name", item.agency) or item.agency,
                               purpose=recognised(metadata, "purpose", item.purpose))


@bp.get("/account/agencies/revoke")
def confirm_revoke() -> Page:
    """Are you sure? What withdrawing an agency's access does, and what to do instead."""
    session = _citizen()
    client_id = request.args.get("client_id", "")[:64]
    with get_db(current_app).read() as db:
        agency = next((a for a in services.connected(db, citizen_id=session.citizen_id)
                       if a.client_id == client_id), None)
        names = agency_names(db, [client_id], current_language()) if agency else {}
    if agency is None:
        return see_other("/account/agencies?error=not_connected")
    agency = dataclasses.replace(agency, name=names.get(client_id, agency.name))
    return confirmation_page(Confirmation(
        group="agencies", title=_("consent.confirm.title", agency=agency.name),
        lead=_("consent.confirm.lead", agency=agency.name),
        effects=(_("consent.confirm.effect_tokens", agency=agency.name),
                 _("consent.confirm.effect_sessions", agency=agency.name),
                 _("consent.confirm.effect_next", agency=agency.name),
                 _("consent.confirm.effect_kept", agency=agency.name)),
        instead=_("consent.confirm.instead", agency=agency.name),
        action="/account/agencies/revoke", fields=(("client_id", agency.client_id),),
        button=_("consent.confirm.button", agency=agency.name), back="/account/agencies"))


@bp.post("/account/agencies/revoke")
def revoke() -> BaseResponse:
    """Withdraw an agency's access: tokens stop at once, its sessions end (back-channel logout),
    and the next sign-in asks for consent again."""
    session = _citizen()
    validate_csrf()
    client_id = request.form.get("client_id", "")[:64]
    consents = get_consents()
    audit.prepare()  # the withdrawal receipt's log key exists before the transaction writes
    try:
        with get_db(current_app).transaction() as db:
            revoked = services.revoke(db, policy=consents.policy, sign=consents.sign, grants=consents.grants,
                                      citizen_id=session.citizen_id, client_id=client_id,
                                      language=current_language(), now=_now())
    except AgencyNotConnected:
        return redirect("/account/agencies?error=not_connected", code=303)
    logout_agency(client_id=revoked.client_id, citizen_id=session.citizen_id, reason="consent_revoked")
    count("consent.revoke", "ok")
    log.info("agency access withdrawn", extra={"client_id": client_id, "grants": revoked.grants})
    return redirect("/account/agencies?done=revoked", code=303)


def _no_receipt() -> Response:
    """404 for a receipt that is not there (or not the citizen's): the page names
    «Instituciones conectadas», where their receipts are, and links to it."""
    body = render_template("error.html", status=404, title=_("consent.error.title"),
                           message=_("consent.error.no_receipt"),
                           next_link=("/account/agencies", _("consent.error.no_receipt.link")))
    return no_store(Response(body, status=404, mimetype="text/html"))


@bp.get("/account/agencies/receipts/<consent_id>")
def receipt(consent_id: str) -> Response:
    """A consent receipt (signed JWS); `?withdrawal=1` for the receipt of its withdrawal."""
    session = _citizen()
    try:
        wanted = uuid.UUID(consent_id)
    except ValueError:
        return _no_receipt()
    with get_db(current_app).read() as db:
        row = db.get(Consent, wanted)
    if row is None or str(row.citizen_id) != session.citizen_id:
        return _no_receipt()
    token = row.withdrawal_receipt if request.args.get("withdrawal") else row.receipt
    if not token:
        return _no_receipt()
    suffix = "-withdrawal" if request.args.get("withdrawal") else ""
    return _download(token, f"consent-receipt-{row.id}{suffix}.jwt", "application/jwt")


def _own_consent(consent_id: str, citizen_id: str) -> Consent | None:
    try:
        wanted = uuid.UUID(consent_id)
    except ValueError:
        return None
    with get_db(current_app).read() as db:
        row = db.get(Consent, wanted)
        if row is not None:
            db.expunge(row)
    return row if row is not None and str(row.citizen_id) == citizen_id else None


def _when(moment: datetime) -> str:
    """A moment as the `|datetime` filter writes it (the citizen's language and time zone)."""
    return str(current_app.jinja_env.filters["datetime"](moment))


def _pdf(body: bytes, name: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return no_store(response)


@bp.get("/account/agencies/<consent_id>/receipt")
def receipt_page(consent_id: str) -> Response:
    """A consent receipt for people: agency, purpose, data released, when, how to withdraw."""
    session = _citizen()
    row = _own_consent(consent_id, session.citizen_id)
    if row is None:
        return _no_receipt()
    with get_db(current_app).read() as db:
        metadata = registered_metadata(db, [row.client_id]).get(row.client_id, {})
    item = _in_its_language(readable.receipt(row, text=_, now=_now()), metadata)
    return no_store(Response(render_template(
        "consent/receipt.html", receipt=item, section="receipt",
        status=readable.status_text(item, text=_, when=_when))))


@bp.get("/account/agencies/<consent_id>/receipt.pdf")
def receipt_pdf(consent_id: str) -> Response:
    """The same receipt as a tagged PDF (the signed JWS stays at .../receipts/<id>)."""
    session = _citizen()
    hit("data-download", key=session.citizen_id)
    row = _own_consent(consent_id, session.citizen_id)
    if row is None:
        return _no_receipt()
    item = readable.receipt(row, text=_, now=_now())
    withdraw = get_settings().issuer + "/account/agencies"
    body = report(title=_("consent.receipt.title", agency=item.agency), language=current_language(),
                  author="Cédula", subject=_("consent.receipt.subject", agency=item.agency),
                  created=_now(), page_label=_("pdf.page"),
                  blocks=readable.receipt_blocks(item, text=_, when=_when, withdraw_url=withdraw))
    count("consent.receipt_pdf", "ok")
    return _pdf(body, f"consent-receipt-{item.id}.pdf")


def _agency_names(db: Session, citizen_id: str) -> tuple[dict[str, str], frozenset[str]]:
    """The names of the agencies in the citizen's log: in their language while the agency is
    registered, else the name it had when the citizen consented; and the ids of the citizen's
    consents (the log links an entry to the decision it was made under only when it is theirs)."""
    consents = list(reversed(services.history(db, citizen_id=citizen_id)))
    kept = {c.client_id: c.agency_name for c in consents}
    return {**kept, **agency_names(db, kept, current_language())}, frozenset(str(c.id) for c in consents)


@bp.get("/account/log")
def log_page() -> Response:
    session = _citizen()
    size = get_consents().policy.page_size
    page = request.args.get("page", "1")
    number = int(page) if page.isascii() and page.isdigit() and 0 < len(page) < 7 and int(page) > 0 else 1
    # Show the log as the chain has it: seal what is pending first (no lock when nothing is).
    audit.seal(get_db(current_app), log=audit_log())
    with get_db(current_app).read() as db:
        total = audit_export.count_entries(db, session.citizen_id)
        entries = audit_export.citizen_entries(db, session.citizen_id, offset=(number - 1) * size,
                                               limit=size, newest_first=True)
        names, own = _agency_names(db, session.citizen_id)
        metadata = registered_metadata(db, {e.client_id for e in entries if e.client_id})
    pages = max(1, -(-total // size))
    views = [_entry_view(e, names, own) for e in entries]
    for view, entry in zip(views, entries, strict=True):  # the purpose in its language (lang_of)
        view["purpose"] = recognised(metadata.get(entry.client_id or "", {}), "purpose", view["purpose"])
    return no_store(Response(render_template(
        "audit/log.html", entries=views, page=min(number, pages),
        pages=pages, total=total, section="log")))


PDF_ENTRIES = 2000  # the newest entries in the PDF; the JSON download holds them all


@bp.get("/account/log.pdf")
def log_pdf() -> Response:
    """The data-sharing log as a readable PDF (newest first); the checkable copy is the JSON."""
    session = _citizen()
    hit("data-download", key=session.citizen_id)
    audit.seal(get_db(current_app), log=audit_log())
    with get_db(current_app).read() as db:
        total = audit_export.count_entries(db, session.citizen_id)
        entries = audit_export.citizen_entries(db, session.citizen_id, offset=0, limit=PDF_ENTRIES,
                                               newest_first=True)
        names, own = _agency_names(db, session.citizen_id)
    rows = readable.log_rows([_entry_view(e, names, own) for e in entries], text=_, when=_when)
    body = report(title=_("audit.log.title"), language=current_language(), author="Cédula",
                  subject=_("audit.log.pdf_subject"), created=_now(), page_label=_("pdf.page"),
                  blocks=readable.log_blocks(rows, text=_, total=total, generated=_when(_now())))
    count("audit.log_pdf", "ok")
    return _pdf(body, "cedula-data-sharing-log.pdf")


def _entry_view(entry: AuditEntry, names: dict[str, str], own: frozenset[str] = frozenset()) -> dict[str, Any]:
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    consent = entry.reference if entry.reference in own and not entry.event.startswith("document.") else None
    return {"seq": entry.seq, "at": at, "event": entry.event.replace(".", "_"),
            "agency": names.get(entry.client_id or "", entry.client_id), "claims": list(entry.claims or ()),
            "legal_basis": entry.legal_basis, "law": entry.law, "purpose": entry.purpose, "consent": consent}


def _bundle(citizen_id: str) -> dict[str, Any]:
    """The citizen's log; first a checkpoint if their newest entries are not yet covered."""
    database = get_db(current_app)
    with database.read() as db:
        uncovered = audit_export.needs_checkpoint(db, citizen_id)
    if uncovered:
        with database.transaction() as db:
            audit.checkpoint(db)
    with database.read() as db:
        return audit.citizen_bundle(db, citizen_id=citizen_id, issuer=get_settings().issuer,
                                    now=_now())


@bp.get("/account/log.json")
def log_download() -> Response:
    session = _citizen()
    hit("data-download", key=session.citizen_id)
    return _download(_bundle(session.citizen_id), "cedula-data-sharing-log.json")


@bp.get("/account/export")
def export() -> Response:
    session = _citizen()
    hit("data-download", key=session.citizen_id)
    _bundle(session.citizen_id)  # makes sure a checkpoint covers the newest entries
    with get_db(current_app).read() as db:
        body = account_export(db, citizen_id=session.citizen_id,
                              issuer=get_settings().issuer, now=_now())
    count("account.export", "ok")
    return _download(body, "cedula-my-data.json")


@bp.get("/account/close")
def close_page() -> Response:
    """Closing needs a fresh passkey check (account.reauth_seconds, idp.account.reauth)."""
    session = _citizen()
    return no_store(Response(render_template("consent/close.html", recent=reauth.fresh(session),
                                             recheck=reauth.recheck_uri("/account/close"),
                                             section="close", failed=False)))


@bp.post("/account/close")
def close() -> BaseResponse:
    session = _citizen()
    validate_csrf()
    if not reauth.fresh(session):
        return reauth.recheck_form(action="close", keep=("confirm",), back="/account/close")
    if request.form.get("confirm") != "close":
        return no_store(Response(render_template("consent/close.html", recent=True, section="close",
                                                 failed=True), status=400))
    consents = get_consents()
    key = get_secrets().key("account-closure")
    try:
        with get_db(current_app).transaction() as db:
            closed = closure.close_account(db, policy=consents.policy, sign=consents.sign,
                                           grants=consents.grants, pseudonym_key=key,
                                           citizen_id=session.citizen_id, language=current_language(),
                                           now=_now(), checked_with=session.credential_id)
    except AccountClosed:
        return redirect("/", code=303)
    except CheckEnded:  # its passkey ended after the check above: the re-check says so
        count("account.close", "check_ended")
        return reauth.recheck_form(action="close", keep=("confirm",), back="/account/close")
    for client_id in closed.agencies:
        logout_agency(client_id=client_id, citizen_id=closed.citizen_id, reason="account_closed")
    response = no_store(Response(render_template("consent/closed.html")))
    end_session(response, reason="account_closed")
    end_all_sessions(citizen_id=closed.citizen_id)  # the citizen's other browsers and devices
    count("account.close", "ok")
    log.info("account closed", extra={"citizen_id": closed.citizen_id, "agencies": len(closed.agencies)})
    return response
