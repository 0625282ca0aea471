"""/token and /userinfo are direct routes (`infra.web.direct_routes`): answered without Flask's
request machinery, with exactly the answers of their Flask views. Every request here is sent
twice through the whole WSGI app (security headers included), once directly and once with the
direct routes switched off (Flask's view, hooks and error handlers), and both answers must be
the same: status line, headers in order, body."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

from infra.web import direct_routes
from tests.idp.oidc.conftest import Agency, bearer, exchange, get_code, tokens_for
from tests.support.basic_auth import basic_auth
from tests.support.dpop import DpopKey

TOKEN = "http://localhost/token"
USERINFO = "http://localhost/userinfo"
FORM = "application/x-www-form-urlencoded"
LIMIT = 10  # [oidc] client_auth_failures
VOLATILE = {"x-request-id", "dpop-nonce"}  # fresh on every request, on both paths
TOKENS = ("access_token", "id_token", "refresh_token")


@dataclass(frozen=True)
class Sent:
    """One WSGI request, as the server would hand it to the app."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    content_type: str | None = None
    query: str = ""
    remote: str = "192.0.2.10"
    environ: dict[str, Any] | None = None


@dataclass(frozen=True)
class Answered:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    flask_dispatches: int  # Flask's full_dispatch_request ran this many times

    def normalised(self) -> tuple[str, list[tuple[str, str]], Any]:
        """The answer with what differs on every request masked: the request id (checked to be
        one), a DPoP nonce, the tokens of a token response (and so its length)."""
        body: Any = self.body
        tokens = False
        if self.headers and dict(self.headers).get("Content-Type") == "application/json":
            parsed = json.loads(self.body)
            tokens = any(name in parsed for name in TOKENS)
            if tokens:
                body = {name: ("<token>" if name in TOKENS else value) for name, value in parsed.items()}
        headers = []
        for name, value in self.headers:
            if name.lower() == "x-request-id":
                assert re.fullmatch(r"[0-9a-f]{32}|given-[0-9]+", value), value
            if name.lower() in VOLATILE or (tokens and name.lower() == "content-length"):
                value = "<fresh>"
            headers.append((name, value))
        return self.status, headers, body


def send(app, sent: Sent, *, direct: bool) -> Answered:
    routes = direct_routes.installed(app)
    assert routes is not None, "the provider registers its direct routes"
    builder = EnvironBuilder(method=sent.method, path=sent.path, headers=sent.headers, data=sent.body,
                             content_type=sent.content_type, query_string=sent.query or None,
                             environ_base={"REMOTE_ADDR": sent.remote})
    environ = builder.get_environ()
    environ.update(sent.environ or {})
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        got.update(status=status, headers=list(headers))

    dispatches = 0
    original = app.full_dispatch_request

    def counted() -> Any:
        nonlocal dispatches
        dispatches += 1
        return original()

    routes.enabled = direct
    app.full_dispatch_request = counted
    try:
        body = b"".join(app(environ, start_response))
    finally:
        routes.enabled = True
        del app.full_dispatch_request
    return Answered(got["status"], got["headers"], body, dispatches)


def same_answer(app, make: Callable[[], Sent]) -> Answered:
    """`make()`'s request answered directly and (a second one, made the same way) by Flask:
    the same answer. Returns the direct answer."""
    direct = send(app, make(), direct=True)
    flask = send(app, make(), direct=False)
    assert direct.flask_dispatches == 0, "the direct route answered"
    assert flask.flask_dispatches == 1, "Flask answered"
    assert direct.normalised() == flask.normalised()
    return direct


def basic(agency: Agency, secret: str | None = None) -> dict[str, str]:
    return basic_auth(agency.client_id, agency.secret if secret is None else secret)


def form(**fields: str) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode()


def token_post(agency: Agency, body: bytes, *, content_type: str = FORM, secret: str | None = None,
               **extra: Any) -> Sent:
    headers = {**basic(agency, secret), **extra.pop("headers", {})}
    return Sent("POST", "/token", headers, body, content_type, **extra)


# --- /userinfo ---------------------------------------------------------------------------------

def test_userinfo_answers_are_the_same(client, register, citizen):
    tokens = tokens_for(client, register())
    app = client.application
    ok = same_answer(app, lambda: Sent("GET", "/userinfo", bearer(tokens["access_token"])))
    assert ok.status == "200 OK" and json.loads(ok.body)["sub"]
    same_answer(app, lambda: Sent("POST", "/userinfo", {}, form(access_token=tokens["access_token"]), FORM))
    same_answer(app, lambda: Sent("POST", "/userinfo", bearer(tokens["access_token"]),  # an empty body
                                  environ={"CONTENT_LENGTH": "0"}))
    # The request id the client sent is kept.
    given = same_answer(app, lambda: Sent("GET", "/userinfo", {**bearer(tokens["access_token"]),
                                                                "X-Request-Id": "given-1"}))
    assert ("X-Request-Id", "given-1") in given.headers


@pytest.mark.parametrize("headers", [
    {},  # no token: a challenge without an error code
    {"Authorization": "Bearer not-a-token"},
    {"Authorization": "Basic Zm9vOmJhcg=="},
    {"Authorization": "DPoP not-a-token"},  # the DPoP scheme without a proof
    {"Authorization": "Bearer x", "DPoP": "not-a-proof"},
])
def test_userinfo_refusals_are_the_same(client, headers):
    refused = same_answer(client.application, lambda: Sent("GET", "/userinfo", dict(headers)))
    assert refused.status.startswith("401")
    assert any(name == "WWW-Authenticate" for name, _ in refused.headers)


def test_userinfo_token_in_header_and_body_is_refused_alike(client, register, citizen):
    tokens = tokens_for(client, register())
    refused = same_answer(client.application, lambda: Sent(
        "POST", "/userinfo", bearer(tokens["access_token"]), form(access_token=tokens["access_token"]), FORM))
    assert refused.status.startswith("400")


def test_userinfo_with_a_dpop_bound_token(client, register, citizen):
    from tests.idp.oidc.test_dpop import code_tokens

    key = DpopKey()
    answer = code_tokens(client, register(), key)
    assert answer.status_code == 200
    key.remember(answer)
    token = answer.get_json()["access_token"]

    def proven() -> Sent:
        return Sent("GET", "/userinfo", {"Authorization": f"DPoP {token}",
                                         "DPoP": key.proof("GET", USERINFO, access_token=token)})

    ok = same_answer(client.application, proven)
    assert ok.status == "200 OK" and any(name == "DPoP-Nonce" for name, _ in ok.headers)
    stale = same_answer(client.application, lambda: Sent("GET", "/userinfo", {
        "Authorization": f"DPoP {token}", "DPoP": key.proof("GET", USERINFO, access_token=token, nonce="old")}))
    assert stale.status.startswith("401") and b"use_dpop_nonce" in stale.body


# --- /token ------------------------------------------------------------------------------------

def test_token_answers_are_the_same(client, register, citizen):
    agency = register()
    app = client.application

    def code_exchange() -> Sent:
        code, flow = get_code(client, agency)
        return token_post(agency, form(grant_type="authorization_code", code=code,
                                       redirect_uri=agency.redirect_uri, code_verifier=flow.verifier))

    ok = same_answer(app, code_exchange)
    assert ok.status == "200 OK" and set(json.loads(ok.body)) >= {"access_token", "id_token"}

    def refresh() -> Sent:
        code, flow = get_code(client, agency, scope="openid offline_access", prompt="consent")
        refresh_token = exchange(client, agency, code, flow).get_json()["refresh_token"]
        return token_post(agency, form(grant_type="refresh_token", refresh_token=refresh_token))

    same_answer(app, refresh)


def test_client_credentials_answers_are_the_same(client, register):
    agency = register(scope="openid profile documents:issue", security_profile="oidc",
                      grant_types=["authorization_code", "refresh_token", "client_credentials"])
    ok = same_answer(client.application, lambda: token_post(agency, form(grant_type="client_credentials")))
    assert ok.status == "200 OK"


@pytest.mark.parametrize(("name", "body", "content_type"), [
    ("json body", b'{"grant_type": "client_credentials"}', "application/json"),
    ("no content type", form(grant_type="client_credentials"), None),
    ("form with a charset", form(grant_type="client_credentials"), FORM + "; charset=UTF-8"),
    ("duplicate parameter", b"grant_type=authorization_code&code=a&code=b", FORM),
    ("no grant type", b"code=a", FORM),
    ("unsupported grant", b"grant_type=password", FORM),
    ("not the client's grant", b"grant_type=client_credentials", FORM),
    ("unknown code", b"grant_type=authorization_code&code=nope&redirect_uri=x&code_verifier=y", FORM),
    ("not utf-8", b"grant_type=\xff\xfe", FORM),
    ("undecodable escape", b"grant_type=%ff&x=%zz", FORM),
    ("nul in a field", b"grant_type=client%00credentials", FORM),
    ("nul in a name", b"grant%00type=x", FORM),
])
def test_token_refusals_are_the_same(client, register, name, body, content_type):
    agency = register()
    same_answer(client.application, lambda: token_post(agency, body, content_type=content_type or ""))


def test_bad_client_authentication_and_its_throttle_are_the_same(client, register):
    agency = register()
    app = client.application
    wrong = same_answer(app, lambda: token_post(agency, form(grant_type="client_credentials"), secret="guess",
                                                remote="203.0.113.7"))
    assert wrong.status.startswith("401") and any(name == "WWW-Authenticate" for name, _ in wrong.headers)
    for _ in range(LIMIT):
        send(app, token_post(agency, form(grant_type="client_credentials"), secret="guess",
                             remote="203.0.113.7"), direct=True)
    throttled = same_answer(app, lambda: token_post(agency, form(grant_type="client_credentials"),
                                                    remote="203.0.113.7"))
    assert throttled.status.startswith("429") and ("Retry-After", "300") in throttled.headers


def test_the_dpop_nonce_challenge_is_the_same(client, register, citizen):
    agency = register()

    def first_proof() -> Sent:
        code, flow = get_code(client, agency)
        return token_post(agency, form(grant_type="authorization_code", code=code,
                                       redirect_uri=agency.redirect_uri, code_verifier=flow.verifier),
                          headers={"DPoP": DpopKey().proof("POST", TOKEN)})

    challenged = same_answer(client.application, first_proof)
    assert challenged.status.startswith("400") and b"use_dpop_nonce" in challenged.body
    assert any(name == "DPoP-Nonce" for name, _ in challenged.headers)


# --- refusals before the endpoint, and failures ---------------------------------------------------

def test_oversized_bodies_and_nul_characters_are_refused_alike(client, register):
    from infra.config import get_settings

    agency = register()
    app = client.application
    limit = int(get_settings(app)["server"]["max_body_bytes"])
    big = same_answer(app, lambda: token_post(agency, b"a=" + b"b" * limit))
    assert big.status.startswith("413")
    declared = same_answer(app, lambda: Sent("GET", "/userinfo", {}, environ={"CONTENT_LENGTH": str(limit + 1)}))
    assert declared.status.startswith("413")
    nul = same_answer(app, lambda: Sent("GET", "/userinfo", {}, query="x=%00"))
    assert nul.status.startswith("400")
    assert same_answer(app, lambda: token_post(agency, form(grant_type="a\x00b"))).status.startswith("400")
    # A body shorter than declared (the client went away), with and without a server that
    # terminates the input itself.
    body = form(grant_type="client_credentials")
    short = same_answer(app, lambda: token_post(agency, body, environ={"CONTENT_LENGTH": str(len(body) + 9)}))
    assert short.status.startswith("400")
    same_answer(app, lambda: token_post(agency, body, environ={"CONTENT_LENGTH": str(len(body) + 9),
                                                               "wsgi.input_terminated": True}))
    # In another language, the same sentence.
    english = same_answer(app, lambda: token_post(agency, b"a=" + b"b" * limit, headers={"Accept-Language": "en"}))
    assert english.body == big.body or english.status.startswith("413")


@pytest.mark.parametrize(("failure", "status"), [
    (lambda: sa.exc.TimeoutError("QueuePool limit reached"), "503"),
    (lambda: __import__("infra.store.base", fromlist=["StoreError"]).StoreError("redis is down"), "503"),
    (lambda: RuntimeError("a bug with internals: /secret/path"), "500"),
])
@pytest.mark.parametrize("language", ["es", "en"])
def test_failures_are_answered_alike(client, register, citizen, monkeypatch, failure, status, language):
    from idp.oidc import userinfo

    tokens = tokens_for(client, register())

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise failure()

    monkeypatch.setattr(userinfo, "userinfo", broken)
    failed = same_answer(client.application, lambda: Sent("GET", "/userinfo", {
        **bearer(tokens["access_token"]), "Accept-Language": language}))
    assert failed.status.startswith(status)
    assert b"/secret/path" not in failed.body
    if status == "503":
        assert any(name == "Retry-After" for name, _ in failed.headers)


def test_a_client_credentials_grant_failing_in_its_handler_is_answered_alike(client, register, monkeypatch):
    """The database's pool timing out inside the handler (here: where the grant is counted)."""
    from infra.group_commit import get_group_commit

    agency = register(scope="openid profile documents:issue", security_profile="oidc",
                      grant_types=["authorization_code", "refresh_token", "client_credentials"])
    group = get_group_commit(client.application)

    def down(*args: Any, **kwargs: Any) -> None:
        raise sa.exc.TimeoutError("QueuePool limit reached")

    monkeypatch.setattr(group, "count_soon", down)
    failed = same_answer(client.application, lambda: token_post(agency, form(grant_type="client_credentials")))
    assert failed.status.startswith("503")


@pytest.mark.parametrize(("failure", "status"), [
    (lambda: sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection")), "503"),
    (lambda: RuntimeError("a bug"), "500"),
], ids=["database-lost", "bug"])
def test_a_failing_finish_hook_is_answered_as_a_failing_after_request_hook(client, register, monkeypatch,
                                                                         failure, status):
    """The error indicators write to the database after the answer is made: their failure is
    answered as Flask answers an after_request hook's (503 for an outage, else 500)."""
    app = client.application
    routes = direct_routes.installed(app)
    agency = register()

    def lost(*args: Any) -> None:
        raise failure()

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    monkeypatch.setattr(routes, "finish_hooks", [*routes.finish_hooks, lost])
    monkeypatch.setitem(app.after_request_funcs, None, [*app.after_request_funcs.get(None, []), lost])
    failed = same_answer(app, lambda: token_post(agency, form(grant_type="client_credentials")))
    assert failed.status.startswith(status)


def test_other_methods_go_to_flask(client):
    app = client.application
    for method in ("HEAD", "OPTIONS", "PUT"):
        answered = send(app, Sent(method, "/userinfo", {}), direct=True)
        assert answered.flask_dispatches == 1, method
    assert send(app, Sent("GET", "/token", {}), direct=True).flask_dispatches == 1  # 405 by Flask
    # A body without a declared length (chunked): Flask's stream handling.
    chunked = send(app, Sent("POST", "/token", {"Transfer-Encoding": "chunked"}, b"", FORM,
                             environ={"CONTENT_LENGTH": "", "wsgi.input_terminated": True}), direct=True)
    assert chunked.flask_dispatches == 1
