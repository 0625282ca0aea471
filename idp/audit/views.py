"""`/audit/log-keys.json`: the data-sharing log's keys, every one it ever had, with the
endorsement that introduced each (a JWK Set, RFC 7517 section 5). Checkpoints and consent
receipts name their key by `kid`; anyone can verify them here, and keep a copy to notice a
history that changes.

`/audit/checkpoint.json`: the newest signed checkpoint of the log. Auditors (and anyone) keep
copies: `cedula audit verify --kept` then shows a log whose tail was cut off, or that was
restored from an older copy and written on, which the database alone cannot show."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify

from infra.db import get_db

bp = Blueprint("audit", __name__)
NO_CHECKPOINT = ("The data-sharing log has no signed checkpoint yet: one is signed when its first entry is "
                 "sealed, after the first release of a citizen's data; ask again later.")


@bp.get("/audit/log-keys.json")
def log_keys_document() -> Response:
    from idp.audit.log_key import log_keys

    with get_db().read() as session:
        response = jsonify(log_keys().published(session))
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/audit/checkpoint.json")
def newest_checkpoint() -> Response:
    from idp.audit.models import Checkpoint
    from infra.utc import rfc3339

    with get_db().read() as session:
        newest = session.scalars(sa.select(Checkpoint).order_by(Checkpoint.seq.desc()).limit(1)).first()
        body = None if newest is None else {
            "seq": newest.seq, "head_hash": newest.head_hash, "time": rfc3339(newest.at), "kid": newest.kid,
            "jws": newest.jws, "verify": "keep a copy; `cedula audit verify --kept <file>` checks the log "
                                         "against it (keys: /audit/log-keys.json)"}
    if body is None:
        response = jsonify({"error": "not_found", "error_description": NO_CHECKPOINT})
        response.status_code = 404
        return response
    response = jsonify(body)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
