"""The cookie that ties the signed-out page's list to the browser that signed out is, with an
https issuer, `__Host-` (Secure, Path=/, no Domain: RFC 6265bis section 4.1.3.2) like every
other cookie of the provider (`infra.web.cookies`), and only that name is read: a sibling host
cannot plant (cookie tossing) or overwrite it. Before, it was `cedula_signed_out` with
Path=/signed-out, and a planted cookie of that name was read."""

from __future__ import annotations

import json


def test_the_signed_out_cookie_is_host_prefixed(https_app):
    from idp.logout.end_session import SIGNED_OUT, _browser_digest, signed_out_redirect
    from infra.store import get_store

    with https_app.test_request_context("/logout", base_url="https://localhost"):
        response = signed_out_redirect(None)
    link = response.headers["Location"]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-cedula_signed_out="), cookie
    assert "Path=/;" in cookie and "Secure" in cookie and "HttpOnly" in cookie and "Domain" not in cookie
    nonce = cookie.split(";")[0].split("=", 1)[1]
    # The list of agencies the sign-out ended (none here: put one in).
    token = link.split("r=", 1)[1]
    record = {"agencies": {"hacienda": "Hacienda"}, "browser": _browser_digest(nonce), "lang": None}
    get_store(https_app).set(SIGNED_OUT + token, json.dumps(record).encode(), 600)

    browser = https_app.test_client()
    browser.set_cookie("__Host-cedula_signed_out", nonce, path="/", secure=True)
    shown = browser.get(link, base_url="https://localhost")
    assert "Hacienda" in shown.get_data(as_text=True)
    # The same nonce under the name a sibling host can set is not read.
    elsewhere = https_app.test_client()
    elsewhere.set_cookie("cedula_signed_out", nonce, path="/signed-out", secure=True)
    planted = elsewhere.get(link, base_url="https://localhost")
    assert planted.status_code == 200 and "Hacienda" not in planted.get_data(as_text=True)
