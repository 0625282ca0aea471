"""`/audit/log-keys.json`: the data-sharing log's keys, every one it ever had, with the
endorsement that introduced each (a JWK Set, RFC 7517 section 5). Checkpoints and consent
receipts name their key by `kid`; anyone can verify them here, and keep a copy to notice a
history that changes."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from infra.db import get_db

bp = Blueprint("audit", __name__)


@bp.get("/audit/log-keys.json")
def log_keys_document() -> Response:
    from idp.audit.log_key import log_keys

    with get_db().read() as session:
        response = jsonify(log_keys().published(session))
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
