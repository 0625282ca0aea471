"""A single-page app (a browser-based public client) in real headless Chromium.

The guide's example page (docs/agencies.md, "A single-page app"), exactly as written but for
its `ISSUER` and `CLIENT_ID`, is served from a loopback origin other than the provider's. It
signs a citizen in with PKCE, exchanges the code at /token with `fetch` and a DPoP proof made
with WebCrypto, reads UserInfo and refreshes: every call cross-origin (CORS). A page at an
origin the client did not register cannot read /token at all: the browser refuses it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from idp.developers.views import SOURCE
from infra.db import get_db
from tests.browser.chromium import Browser
from tests.browser.conftest import LiveServer, _QuietHandler
from tests.browser.flows import enrol_on_new_device

pytestmark = pytest.mark.browser

CLIENT_ID = "portal-spa"


def guide_page(issuer: str) -> str:
    """The guide's single-page app, with this provider's issuer and the registered client."""
    [page] = re.findall(r"```html\n(.*?)```", SOURCE.read_text(encoding="utf-8"), re.S)
    written = {'const ISSUER = "https://cedula.example.gob";': f"const ISSUER = {json.dumps(issuer)};",
               'const CLIENT_ID = "your-client-id";': f"const CLIENT_ID = {json.dumps(CLIENT_ID)};"}
    for line, instead in written.items():
        assert page.count(line) == 1, line
        page = page.replace(line, instead)
    return page


@dataclass(frozen=True)
class Origins:
    registered: str  # the single-page app's origin: its redirect URI is registered
    other: str  # the same page at another loopback port, which no client registered


def _bootstrap_keys(app) -> None:
    """The tables were emptied for this test: make the provider's signing keys again."""
    from keys import get_service

    service = get_service(app)
    service.invalidate()
    service.custody.initialise()
    service.keyring.bootstrap(service.now())


@pytest.fixture
def origins(server: LiveServer) -> Iterator[Origins]:
    from clients.registry.services import upsert_operator_client

    _bootstrap_keys(server.app)
    body = guide_page(server.url).encode()

    def page(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")])
        return [body]

    servers = [make_server("127.0.0.1", 0, page, threaded=True, request_handler=_QuietHandler) for _ in range(2)]
    urls = [f"http://127.0.0.1:{s.port}" for s in servers]
    with server.app.app_context(), get_db(server.app).transaction() as session:
        upsert_operator_client(session, client_id=CLIENT_ID, metadata={
            "client_name": "Portal de una sola página", "redirect_uris": [urls[0] + "/"],
            "token_endpoint_auth_method": "none", "scope": "openid profile offline_access"})
    for number, s in enumerate(servers):
        threading.Thread(target=s.serve_forever, name=f"spa-{number}", daemon=True).start()
    try:
        yield Origins(*urls)
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()


def _result(browser: Browser) -> dict:
    text = browser.wait(lambda d: d.find_element("id", "result").text, "expected the page's result")
    return json.loads(text)


_ASK_TOKEN = """
const [url, headers, client_id, done] = arguments;
fetch(url, {method: "POST", headers,
            body: new URLSearchParams({grant_type: "refresh_token", client_id, refresh_token: "spent"})})
  .then(async (answer) => done({read: answer.status, body: await answer.json()}),
        (error) => done({refused: error.name}));
"""


def test_the_guides_single_page_app_signs_in_reads_userinfo_and_refreshes(browser: Browser, server, origins):
    enrol_on_new_device(browser)  # the citizen is signed in at the provider
    browser.driver.get(origins.registered + "/")
    browser.wait_for("#sign-in").click()
    browser.wait_for("button[name=decision][value=allow]").click()
    result = _result(browser)
    assert result.get("token_type") == "DPoP", result  # the tokens are bound to the page's key
    assert result["claims"]["sub"] and result["claims"]["given_name"] == "María José", result
    assert result["refresh_rotated"] is True, result
    assert browser.driver.current_url == origins.registered + "/"  # the code left the address bar

    # A refusal at /token is readable by the registered origin's page, with what to fix.
    read = browser.driver.execute_async_script(_ASK_TOKEN, server.url + "/token", {}, CLIENT_ID)
    assert read["read"] == 400 and read["body"]["error"] == "invalid_grant", read


def test_a_page_at_an_origin_the_client_did_not_register_cannot_read_the_token_endpoint(
        browser: Browser, server, origins):
    browser.driver.get(origins.other + "/")
    browser.wait_for("#sign-in")
    # A simple form POST: sent, but its answer has no Access-Control-Allow-Origin for this origin.
    simple = browser.driver.execute_async_script(_ASK_TOKEN, server.url + "/token", {}, CLIENT_ID)
    assert simple == {"refused": "TypeError"}, simple
    # With a DPoP header the preflight itself is refused: the request is never sent.
    with_dpop = browser.driver.execute_async_script(_ASK_TOKEN, server.url + "/token", {"DPoP": "x.y.z"}, CLIENT_ID)
    assert with_dpop == {"refused": "TypeError"}, with_dpop
    # Discovery stays readable by every page (the guide's page fetched it to get here).
    assert browser.driver.execute_async_script(
        "const [url, done] = arguments; fetch(url).then((a) => done(a.status), (e) => done(e.name));",
        server.url + "/.well-known/openid-configuration") == 200
