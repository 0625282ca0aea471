"""The data-sharing log: every release of a citizen's personal data, append-only and
hash-chained, with checkpoints of the chain head signed by the log's own long-lived key
(`idp.audit.log_key`, also the signer of consent receipts).

Everyone who releases personal data appends, inside the transaction that does the work:

    from idp import audit
    audit.append(session, event="document.issued", citizen_id=citizen_id, client_id=agency,
                 purpose=purpose, legal_basis="law", law="Ley ...", reference=document_id)

The entry is pending until the sealer (`idp.audit.seal`: a thread on one node at a time,
`cedula audit seal`, and every reader that needs the chain) gives it its place in the chain.
`verify_chain` (and `cedula audit verify`) checks the whole chain and every checkpoint.
"""

from __future__ import annotations

from flask import Flask

from idp.audit.chain import EVENTS, LEGAL_BASES
from idp.audit.errors import AuditError, ChainBroken
from idp.audit.export import citizen_bundle, verify_bundle
from idp.audit.log import AUDIT_LOG, Appended, AuditLog, append, audit_log, pending_entry, pending_values, prepare
from idp.audit.log_key import LOG_KEYS, LogKeyError, LogKeys, log_keys
from idp.audit.seal import ChainSealer, checkpoint, seal
from idp.audit.verify import ChainReport, Problem, verify_chain
from infra.components import Slot
from infra.config import get_settings
from infra.ops.background import start_with_first_request

__all__ = [
    "AUDIT_LOG",
    "EVENTS",
    "LEGAL_BASES",
    "LOG_KEYS",
    "Appended",
    "AuditError",
    "AuditLog",
    "ChainBroken",
    "ChainReport",
    "ChainSealer",
    "LogKeyError",
    "LogKeys",
    "Problem",
    "append",
    "audit_log",
    "checkpoint",
    "citizen_bundle",
    "init_app",
    "log_keys",
    "pending_entry",
    "pending_values",
    "prepare",
    "seal",
    "trusted_keys",
    "verify_bundle",
    "verify_chain",
]


SEALER: Slot[ChainSealer] = Slot("data-sharing log sealer")


def trusted_keys(app: Flask | None = None) -> dict[str, dict]:
    """kid -> public JWK of the log keys the key store vouches for (what checkpoints and
    receipts are checked against); LogKeyError when the history does not check out."""
    from infra.db import get_db

    with get_db(app).read() as session:
        return log_keys(app).trusted(session)


def init_app(app: Flask) -> AuditLog:
    """The log's settings and signer, and the sealing thread (started with the first request
    this process serves, so commands like `cedula keys` never start one)."""
    import keys
    from idp.audit import settings as audit_settings
    from idp.audit.log import ENTRY_KEY_PURPOSE, LogKeySigner
    from idp.audit.openapi import PATHS, SCHEMAS
    from idp.audit.views import bp
    from infra.db import get_db
    from infra.openapi import describe
    from infra.secrets import get_secrets

    settings = get_settings(app)
    policy = audit_settings.load(settings, settings.issuer)
    keyring = LOG_KEYS.install(app, LogKeys(keys.get_service(app), get_db(app), alg=policy.checkpoint_alg))
    log = AuditLog(policy=policy, signer=LogKeySigner(keyring),
                   entry_key=get_secrets(app).key(ENTRY_KEY_PURPOSE))
    AUDIT_LOG.install(app, log)
    app.register_blueprint(bp)
    describe(app, PATHS, SCHEMAS)
    sealer = SEALER.install(app, ChainSealer(database=get_db(app), log=log,
                                                seconds=log.policy.seal_seconds))

    start_with_first_request(app, sealer)

    return log
