"""The operator console (/operator): agencies, indicators, keys and PKI, people (operators
and registrars), the operator audit trail, reports of possible forgeries. Operators are citizens with the operator role
(`cedula operators grant`) signed in at level high with a passkey; every action is written
to the operator audit trail.

Others may import: `services` (grant, revoke, operators, acting_operator, record) and the
error family `errors.OperatorError`.
"""

from __future__ import annotations

from flask import Flask

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    from idp.operator import agencies, audit, forgery_reports, indicators, keys, people, views

    for module in (views, agencies, indicators, keys, people, audit, forgery_reports):
        app.register_blueprint(module.bp)
