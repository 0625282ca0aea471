"""The public face of `signing` in the web app: verification pages and API (`/verify`,
`/api/verify`). Wired after `idp.documents` (it reads the document service); imports nothing from `idp`.
"""

from __future__ import annotations

from flask import Flask

from infra.config import get_settings
from infra.db import get_db
from infra.openapi import describe
from infra.web.inputs import allow_larger_body
from signing.verify.openapi import PATHS, SCHEMAS
from signing.verify.service import VERIFICATION, VerificationService, quiet_pyhanko


def init_service(app: Flask) -> VerificationService:
    """Build the verification service alone (trust roots read now): what `cedula verify` needs."""
    from keys import get_service
    from signing.service import get_documents

    quiet_pyhanko()
    return VERIFICATION.install(app, VerificationService(
        settings=get_settings(app), database=get_db(app), key_service=get_service(app),
        documents=get_documents(app)))


def init_app(app: Flask) -> VerificationService:
    """Build the verification service and register the pages and the API."""
    from signing.verify.views import MULTIPART_SLACK, bp, oversized_upload_page

    service = init_service(app)
    app.register_blueprint(bp)
    limit = service.settings.max_bytes + MULTIPART_SLACK
    allow_larger_body(app, "verify.upload", limit, page=oversized_upload_page)
    allow_larger_body(app, "verify.api_verify", limit)
    describe(app, PATHS, SCHEMAS)
    return service
