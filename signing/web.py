"""The public face of `signing` in the web app: verification pages and API (`/verify`,
`/api/verify`). Listed in `idp.app.COMPONENTS`; it imports nothing from `idp`.
"""

from __future__ import annotations

import logging

from flask import Flask

from signing.verify.openapi import PATHS, SCHEMAS
from signing.verify.service import EXTENSION, VerificationService

# pyHanko logs every failed check of a forged or untrusted file with a traceback; those are
# verdicts in the report, not faults of the service.
QUIET_LOGGERS = ("pyhanko.sign.validation", "pyhanko_certvalidator", "pyhanko.sign.diff_analysis",
                 "pyhanko.pdf_utils.reader")


def quiet_pyhanko() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def init_app(app: Flask) -> VerificationService:
    """Build the verification service (trust roots read now) and register the blueprint."""
    from keys import get_service
    from signing.verify.views import MULTIPART_SLACK, bp

    quiet_pyhanko()
    service = VerificationService(settings=app.config["CEDULA"],
                                  database=app.extensions["cedula.db"],
                                  key_service=get_service(app), extensions=app.extensions)
    app.extensions[EXTENSION] = service
    app.register_blueprint(bp)
    limits = app.extensions.setdefault("cedula.body_limits", {})  # see infra.web.inputs
    for endpoint in ("verify.upload", "verify.api_verify"):
        limits[endpoint] = service.settings.max_bytes + MULTIPART_SLACK
    document = app.extensions.setdefault("cedula.openapi", {"paths": {}, "schemas": {}})
    for path, operations in PATHS.items():
        document["paths"].setdefault(path, {}).update(operations)
    document["schemas"].update(SCHEMAS)
    return service
