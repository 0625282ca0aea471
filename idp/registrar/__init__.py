"""The registrar console: agents of a service point verify identities in person and help
with recovery. Role grants are operator commands (`cedula registrar grant/revoke/list`).

Others may import: `services` (grant, revoke, look_up, verify_in_person, start_recovery,
redeem_binding) and the error family `errors.RegistrarError`.
"""

from __future__ import annotations

from flask import Flask

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    from idp.registrar.enrolment_views import bp as enrolment_bp
    from idp.registrar.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(enrolment_bp)
