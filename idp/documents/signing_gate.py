"""The signing gate: whether the signed-in citizen may sign (their sign-in at least
`documents.minimum_signing_level`), and the page that says why not and how to get there. Used by
the upload pages and by documents an agency prepared for signature."""

from __future__ import annotations

from dataclasses import replace

from flask import Response, current_app, render_template

from idp.documents import eligibility
from idp.sessions import SsoSession, require_citizen
from infra.db import get_db
from infra.ops.metrics import count
from infra.web.errors import ApiError
from infra.web.i18n import gettext as _
from signing.service import get_documents


def _refusal(session: SsoSession) -> eligibility.Refusal | None:
    """Why this sign-in may not sign (below documents.minimum_signing_level), or None.

    A session without a passkey (a wallet sign-in) is judged on the account's stored proofing:
    its PID proofs that sign-in only (`idp.wallet.sign_in`), and the signature is approved
    with one of the account's passkeys, which stands on the stored proofing."""
    from idp.assurance.levels import lower
    from idp.assurance.services import assess, proofing_of

    with get_db(current_app).read() as db:
        assessment = assess(db, citizen_id=session.citizen_id,
                            credential_id=session.credential_id, amr=session.amr, pid=session.pid)
        if session.credential_id is None:
            stored, _ = proofing_of(db, session.citizen_id)
            assessment = replace(assessment, proofing=stored, level=lower(stored, assessment.level))
    return eligibility.refusal(assessment, minimum=get_documents(current_app).settings.minimum_signing_level)


def refused_page(refusal: eligibility.Refusal) -> Response:
    """403: why this citizen cannot sign yet, and the way to the level signing needs."""
    count("documents.sign_refused", refusal.reason)
    body = render_template("documents/not_eligible.html", refusal=refusal,
                           level=_(f"assurance.level.{refusal.level}"),
                           minimum=_(f"assurance.level.{refusal.minimum}"))
    return Response(body, status=403, mimetype="text/html")


def signing_citizen() -> tuple[SsoSession, eligibility.Refusal | None]:
    """The signed-in citizen and, when their sign-in is below the minimum, why."""
    session = require_citizen()
    return session, _refusal(session)


def api_refusal(refusal: eligibility.Refusal) -> ApiError:
    """403 `insufficient_user_authentication` (the RFC 9470 code: this sign-in does not meet
    the level the operation requires), saying which fact fell short and what to do."""
    count("documents.sign_refused", refusal.reason)
    return ApiError(403, "insufficient_user_authentication",
                    _(f"mydocs.eligibility.{refusal.reason}.api",
                      level=_(f"assurance.level.{refusal.level}"),
                      minimum=_(f"assurance.level.{refusal.minimum}")))
