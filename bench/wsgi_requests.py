"""Requests prepared ahead and sent straight through `app.wsgi_app` (no test client, no
server): what the in-process counts (bench/callgrind_token.py, bench/worker_gc.py) time."""

from __future__ import annotations

import io
from typing import Any

from werkzeug.test import EnvironBuilder

Prepared = list[tuple[dict, bytes]]


def token_exchanges(browser: Any, agency: Any, n: int) -> Prepared:
    """`n` `/token` requests (code + PKCE, the agency's client authentication), each with a
    code of its own obtained beforehand from `browser`'s signed-in session."""
    from tests.idp.oidc.conftest import get_code

    prepared = []
    for _ in range(n):
        code, flow = get_code(browser, agency)
        form, headers = agency.auth({"grant_type": "authorization_code", "code": code,
                                     "redirect_uri": agency.redirect_uri, "code_verifier": flow.verifier})
        environ = EnvironBuilder(path="/token", method="POST", data=form, headers=headers,
                                 base_url="http://localhost").get_environ()
        prepared.append((environ, environ["wsgi.input"].read()))
    return prepared


def userinfo(token: str) -> dict:
    """A UserInfo request with `token` as its bearer token."""
    from tests.idp.oidc.conftest import bearer

    return EnvironBuilder(path="/userinfo", method="GET", base_url="http://localhost",
                          headers=bearer(token)).get_environ()


def send(app: Any, environ: dict, body: bytes) -> tuple[str, list]:
    """One prepared request through `app.wsgi_app`: its status line and headers."""
    asked = dict(environ)
    asked["wsgi.input"] = io.BytesIO(body)
    status: list[tuple[str, list]] = []
    b"".join(app.wsgi_app(asked, lambda line, headers, _exc=None, seen=status: seen.append((line, headers))))
    return status[0]
