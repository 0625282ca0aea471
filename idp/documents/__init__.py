"""Documents in the identity provider: the agencies' API (`/api/documents`), the citizen's
"My documents" pages and signing a PDF with a passkey. The documents themselves (templates,
sealing, storage) are `signing`'s; this package maps agencies' subjects to citizens and
citizens' sessions and passkeys to signatures.
"""

from __future__ import annotations

import threading

from flask import Flask


def init_app(app: Flask) -> None:
    from idp.documents.api import bp as api_bp
    from idp.documents.api import directory
    from idp.documents.openapi import PATHS, SCHEMAS
    from idp.documents.pages import UPLOAD_OVERHEAD
    from idp.documents.pages import bp as pages_bp
    from idp.documents.revocation_api import OPENAPI_PATHS as REVOCATION_PATHS
    from idp.documents.revocation_api import bp as revocation_bp
    from infra.config import get_settings
    from infra.openapi import describe
    from infra.web.inputs import allow_larger_body
    from signing.component import init_app as init_documents

    service = init_documents(app, directory=directory(app))
    from idp.documents import idempotency, titles

    idempotency.init_app(app)
    titles.init_app(app)
    from idp.documents.pages import oversized_upload_page

    allow_larger_body(app, "documents.sign", service.settings.max_bytes + UPLOAD_OVERHEAD,
                      page=oversized_upload_page)
    from idp.documents import prepared, prepared_api, prepared_page
    from idp.documents.openapi import PREPARED_PATHS, PREPARED_SCHEMAS
    from idp.documents.prepared import body_limit

    service.store.add_reference(prepared.references)
    allow_larger_body(app, "documents_prepared_api.create", body_limit(service.settings.max_bytes))
    app.register_blueprint(prepared_api.bp)
    app.register_blueprint(prepared_page.bp)
    from idp.documents.openapi import keeping, throttled
    from idp.oidc.openapi import protected_resource

    hours = idempotency.keep_hours(get_settings(app))
    describe(app, protected_resource(throttled(keeping(PREPARED_PATHS, hours))), PREPARED_SCHEMAS)
    app.register_blueprint(api_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(revocation_bp)
    describe(app, protected_resource(throttled(keeping(PATHS, hours))), SCHEMAS)
    describe(app, protected_resource(throttled(REVOCATION_PATHS)))
    service.warm_up_fonts()
    if service.can_warm_up_keys():
        threading.Thread(target=service.warm_up_keys, name="documents-warm-up", daemon=True).start()
