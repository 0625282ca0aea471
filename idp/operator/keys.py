"""Console: keys and PKI — the OIDC signing keys and where each is in its rotation, the PKI
certificates with their expiry (warned `WARN_DAYS` ahead, and whatever `keys` says is due),
revoke a certificate, renew the TSA/OCSP/issuing certificate, and the FIDO metadata (MDS3)
status. The same `keys` service calls as `cedula keys` and `cedula pki`; each action is
recorded in the operator audit trail inside the key store's own transaction (the `record`
hook of `keys`): the change and its audit entry commit together or not at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

import keys
from idp.assurance import metadata as fido_metadata
from idp.operator import services
from idp.operator.guard import now, operator_page, render
from idp.registrar.services import Actor
from infra.config import get_settings
from infra.db import get_db
from infra.utc import as_utc
from keys import renewal
from keys.crl import REASONS
from keys.errors import KeyStoreError, KeyStoreUnavailable
from keys.models import Certificate

bp = Blueprint("operator_keys", __name__, url_prefix="/operator")
WARN_DAYS = 30
RENEWABLE = ("tsa", "ocsp", "issuing")
DONE = {"revoked", "renewed", "rotated"}


def _page(actor: Actor, *, error: str | None = None, status: int = 200) -> BaseResponse:
    service = keys.get_service(current_app)
    moment = service.now()
    service.keyring.invalidate()
    signing = [{"alg": k.alg, "kid": k.kid, "state": "active" if k.active(moment) else
                "next" if k.active_at > moment else "retired", "active_at": k.active_at,
                "retired_at": k.retired_at, "remove_at": k.remove_at} for k in service.keyring.keys()]
    try:
        due = service.pki.due(moment)
        lifetimes = [{"name": name, "expires": when, "due": name in due, "how": renewal.HOW.get(name, ""),
                      "soon": when - moment < timedelta(days=WARN_DAYS)}
                     for name, when in renewal.lifetimes(service.pki).items()]
    except KeyStoreError as exc:  # no PKI yet, or the key store cannot serve: say what to do
        lifetimes = []
        error = error or str(exc)
    with get_db(current_app).read() as session:
        certificates = [{"serial": c.serial.upper(), "role": c.role, "subject": c.subject, "client_id": c.client_id,
                         "not_after": as_utc(c.not_after), "revoked": c.revoked_at is not None,
                         "reason": c.revocation_reason,
                         "soon": c.revoked_at is None and as_utc(c.not_after) - moment < timedelta(days=WARN_DAYS),
                         "expired": as_utc(c.not_after) <= moment}
                        for c in session.scalars(sa.select(Certificate).order_by(Certificate.created_at.desc())
                                                 .limit(500))]
    blob = fido_metadata(current_app).current(moment)
    fido = None if blob is None else {"serial": blob.serial, "next_update": blob.next_update,
                                      "entries": len(blob.entries), "due": blob.due(moment)}
    done = request.args.get("done")
    return render("operator/keys.html", status, actor=actor, signing=signing, lifetimes=lifetimes,
                  certificates=certificates, fido=fido, reasons=tuple(REASONS), renewable=RENEWABLE,
                  error=error, done=done if done in DONE else None, warn_days=WARN_DAYS, now=moment)


@bp.get("/keys")
@operator_page
def index(actor: Actor) -> BaseResponse:
    return _page(actor)


def _recorder(actor: Actor, action: str, details: Callable[..., dict[str, Any]]) -> Callable[..., None]:
    """The audit entry of a key action, for the key store to write in its transaction
    (`details` builds it from what the key store passes: the rotation, the new status)."""
    def record(session: Session, *outcome: Any) -> None:
        services.record(session, actor=actor, action=action, now=now(), details=details(*outcome))

    return record


def _act(actor: Actor, done: str, action: Callable[[keys.KeyService], object]) -> BaseResponse:
    """Run a key action: the page again with the key store's error (400), or a 303 back to
    it saying what was done."""
    service = keys.get_service(current_app)
    try:
        action(service)
    except KeyStoreUnavailable as exc:  # a missing dependency, not a wrong input: try again later
        page = _page(actor, error=str(exc), status=503)
        page.headers["Retry-After"] = str(get_settings(current_app).server.retry_after_seconds)
        return page
    except KeyStoreError as exc:
        return _page(actor, error=str(exc), status=400)
    return redirect(f"/operator/keys?done={done}", code=303)


@bp.post("/keys/revoke")
@operator_page
def revoke(actor: Actor) -> BaseResponse:
    serial = request.form.get("serial", "")[:42].strip().lower()
    reason = request.form.get("reason", "unspecified")
    if reason not in REASONS or not serial:
        return _page(actor, error=f"reason must be one of {', '.join(REASONS)}; serial is required", status=400)
    return _act(actor, "revoked", lambda service: service.pki.revoke(
        serial=serial, reason=reason, now=service.now(), record=_recorder(
            actor, "certificate.revoked", lambda status: {"serial": serial, "reason": reason})))


@bp.post("/keys/renew")
@operator_page
def renew(actor: Actor) -> BaseResponse:
    name = request.form.get("certificate", "")
    if name not in RENEWABLE:
        return _page(actor, error=f"certificate must be one of {', '.join(RENEWABLE)}", status=400)
    return _act(actor, "renewed", lambda service: service.pki.renew(name, service.now(), record=_recorder(
        actor, "certificate.renewed", lambda: {"certificate": name})))


@bp.post("/keys/rotate")
@operator_page
def rotate(actor: Actor) -> BaseResponse:
    return _act(actor, "rotated", lambda service: service.keyring.rotate(service.now(), record=_recorder(
        actor, "signing_keys.rotated", lambda result: {"published": [k.kid for k in result.published],
                                                       "removed": list(result.removed)})))
