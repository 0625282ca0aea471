"""Security headers on every response: CSP, frame-ancestors, Referrer-Policy, HSTS."""

from __future__ import annotations

from flask import Flask, Response, request

from infra.config import get_settings


def init_app(app: Flask) -> None:
    settings = get_settings(app)
    csp = str(settings["security"]["content_security_policy"])
    hsts = f"max-age={int(settings['security']['hsts_seconds'])}; includeSubDomains"
    secure = settings.secure

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        # A view may widen form-action for one response (an OIDC redirect after a form post).
        headers.setdefault("Content-Security-Policy", csp)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if secure:
            headers["Strict-Transport-Security"] = hsts
        if response.mimetype == "text/html" or request.path.startswith(("/webauthn/", "/account")):
            headers.setdefault("Cache-Control", "no-store")
        return response
