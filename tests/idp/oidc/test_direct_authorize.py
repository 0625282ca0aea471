"""GET /authorize is a direct route (`infra.web.direct_routes`, `idp.oidc.views.direct_authorize`)
for the requests answered at once with a redirect to the client (a code, an OAuth error); it
declines every other one (a page, a sign-in, a pushed request) to the Flask view, before any
effect. Each request here is sent through the whole WSGI app twice, with the direct routes on
and off, and both answers must be the same (status line, headers in order, body; codes,
interaction ids and CSRF values masked), with Flask's dispatch run only for the declined ones
and the same effects (codes issued, funnel counts) on both paths."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from idp.oidc import interactions, services, views
from tests.idp.oidc.conftest import Flow, authorize_url, get_code
from tests.idp.oidc.test_direct_routes import Answered, Sent, send
from tests.idp.oidc.test_jar import request_claims, request_object
from tests.idp.oidc.test_par import request_uri_of
from tests.support.dpop import DpopKey

# What differs on every request, on both paths: the code (in the query or in a JARM response),
# the id of an interaction kept for the citizen's way back, a CSRF token, a cookie's expiry.
_MASKS = [
    (re.compile(r"(code=)[A-Za-z0-9_-]{20,}"), r"\1<code>"),
    (re.compile(r"(response=)[A-Za-z0-9_.-]{20,}"), r"\1<jarm>"),
    (re.compile(r"(interaction(?:=|%3D|%253D|\" value=\"|=\"))[A-Za-z0-9_-]{20,}"), r"\1<interaction>"),
    (re.compile(r"(csrf_token\" value=\")[^\"]+"), r"\1<csrf>"),
    (re.compile(r"^([A-Za-z_-]*csrf[A-Za-z_-]*=)[^;]+", re.I), r"\1<csrf>"),
    # The browser binding cookie's lifetime (idp.oidc.interaction_binding), from the second it is sent.
    (re.compile(r"(; Expires=)[^;]+"), r"\1<expires>"),
    # The session time-out warning's seconds left (idp.sessions keep-alive), from the second the
    # page is made: the two paths' pages may fall on either side of a second.
    (re.compile(r"(data-seconds=\")[0-9]+"), r"\1<seconds>"),
]

HIGH = "http://eidas.europa.eu/LoA/high"
FLOW = Flow()  # one state, nonce and verifier: a request made twice the same way


def _masked(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def normalised(answer: Answered) -> tuple[str, list[tuple[str, str]], str]:
    """The answer with what differs on every request masked (the length checked, then masked
    with the body: a JARM response's length varies)."""
    headers = dict(answer.headers)
    if "Content-Length" in headers:
        assert int(headers["Content-Length"]) == len(answer.body)
    body = _masked(answer.body.decode())
    shown = []
    for name, value in answer.headers:
        if name.lower() == "x-request-id":
            assert re.fullmatch(r"[0-9a-f]{32}", value), value
            value = "<fresh>"
        elif name.lower() == "content-length" and body != answer.body.decode():
            value = "<masked>"
        shown.append((name, _masked(value)))
    return answer.status, shown, body


class Effects:
    """The effects of a request that tell the paths apart: codes issued, funnel steps counted,
    interactions kept for the citizen's way back."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.log: list[tuple[Any, ...]] = []
        issue, funnel = services.issue_code, views._funnel

        def issued(*args: Any, **kwargs: Any) -> str:
            self.log.append(("code", kwargs["request"].client_id, tuple(sorted(kwargs["granted"]))))
            return issue(*args, **kwargs)

        def counted(client_id: str, *steps: str) -> None:
            self.log.append(("funnel", client_id, steps))
            funnel(client_id, *steps)

        monkeypatch.setattr(services, "issue_code", issued)
        monkeypatch.setattr(views, "_funnel", counted)
        for name in ("save", "update"):
            kept = getattr(interactions, name)

            def keeping(*args: Any, _name: str = name, _kept: Any = kept, **kwargs: Any) -> Any:
                self.log.append(("interaction", _name))
                return _kept(*args, **kwargs)

            monkeypatch.setattr(interactions, name, keeping)

    def of(self, run: Callable[[], Answered]) -> tuple[Answered, list[tuple[Any, ...]]]:
        self.log.clear()
        answered = run()
        return answered, list(self.log)


@pytest.fixture
def effects(monkeypatch) -> Effects:
    return Effects(monkeypatch)


def cookie_of(client) -> dict[str, str]:
    """The test browser's cookies (its SSO session), as a Cookie header."""
    jar = "; ".join(f"{cookie.key}={cookie.value}" for cookie in client._cookies.values())
    return {"Cookie": jar} if jar else {}


def compare(app, effects: Effects, make: Callable[[], Sent], *, direct: bool) -> Answered:
    """`make()`'s request with the direct routes on, then (a second one, made the same way)
    off: the same answer and the same effects; answered directly (`direct`) or declined to
    Flask. Returns the first answer."""
    first, first_effects = effects.of(lambda: send(app, make(), direct=True))
    flask, flask_effects = effects.of(lambda: send(app, make(), direct=False))
    assert first.flask_dispatches == (0 if direct else 1), "answered directly" if direct else "declined"
    assert flask.flask_dispatches == 1
    assert normalised(first) == normalised(flask), _difference(normalised(first), normalised(flask))
    assert first_effects == flask_effects
    return first


def _difference(first: tuple[str, list[tuple[str, str]], str], flask: tuple[str, list[tuple[str, str]], str]) -> str:
    import difflib

    def lines(answer: tuple[str, list[tuple[str, str]], str]) -> list[str]:
        return [answer[0], *(f"{name}: {value}" for name, value in answer[1]), *answer[2].splitlines()]

    return "\n".join(difflib.unified_diff(lines(first), lines(flask), "direct on", "direct off", lineterm=""))


def query_of(url: str) -> str:
    return url.split("?", 1)[1]


def get(url: str, headers: dict[str, str] | None = None, **extra: Any) -> Sent:
    return Sent("GET", "/authorize", dict(headers or {}), query=query_of(url), **extra)


def location(answer: Answered) -> str:
    return dict(answer.headers)["Location"]


# --- answered directly ---------------------------------------------------------------------------

def test_a_code_for_a_signed_in_citizen_whose_consent_stands(client, register, citizen, effects):
    agency = register()
    get_code(client, agency)  # the consent is given
    flow = Flow()
    answer = compare(client.application, effects, lambda: get(authorize_url(agency, flow), cookie_of(client)),
                     direct=True)
    assert answer.status == "302 FOUND"
    assert location(answer).startswith(agency.redirect_uri + "?code=")
    assert ("Cache-Control", "no-store") in answer.headers
    assert ("X-Frame-Options", "DENY") in answer.headers  # the security headers, around both paths
    assert not any(name == "Set-Cookie" for name, _ in answer.headers)
    _, issued = effects.of(lambda: send(client.application, get(authorize_url(agency, flow), cookie_of(client)),
                                        direct=True))
    assert [entry[:2] for entry in issued] == [("code", agency.client_id), ("funnel", agency.client_id)]
    assert issued[1][2] == ("authorize", "code")


@pytest.mark.parametrize("params", [
    {"prompt": "none"},
    {"response_mode": "query"},
    {"response_mode": "query.jwt"},
    {"response_mode": "jwt"},
    {"max_age": "3600"},
    {"dpop_jkt": "use-a-key"},
    {"resource": "https://api.example.gov/"},
    {"state": None},
    {"claims": '{"id_token": {"acr": {"essential": false}}}'},
], ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()))
def test_codes_in_every_response_mode_and_with_each_parameter(client, register, citizen, effects, params):
    agency = register()
    get_code(client, agency)
    if params.get("dpop_jkt") == "use-a-key":
        params = {"dpop_jkt": DpopKey().jkt}
    flow = Flow()
    answer = compare(client.application, effects,
                     lambda: get(authorize_url(agency, flow, **params), cookie_of(client)), direct=True)
    assert answer.status == "302 FOUND", answer.body


@pytest.mark.parametrize(("params", "error"), [
    ({"prompt": "none"}, "login_required"),  # without a session
    ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),  # PKCE missing
    ({"code_challenge_method": "plain"}, "invalid_request"),
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"response_mode": "form_post"}, "invalid_request"),
    ({"response_mode": "fragment"}, "invalid_request"),
    ({"response_mode": "form_post.jwt"}, "invalid_request"),
    ({"scope": "profile"}, "invalid_scope"),
    ({"prompt": "bogus"}, "invalid_request"),
    ({"max_age": "-1"}, "invalid_request"),
    ({"resource": "not a uri"}, "invalid_target"),
], ids=lambda value: str(value))
def test_error_redirects_without_a_session(client, register, effects, params, error):
    agency = register()
    flow = Flow()
    answer = compare(client.application, effects, lambda: get(authorize_url(agency, flow, **params)), direct=True)
    assert answer.status == "302 FOUND"
    assert f"error={error}" in location(answer) or "response=" in location(answer)


def test_error_redirects_for_a_signed_in_citizen(client, register, citizen, effects):
    agency = register(max_assurance_level="high", security_profile="oidc")  # may ask for high
    app = client.application
    # prompt=none: no consent yet, then a sign-in older than max_age.
    answer = compare(app, effects, lambda: get(authorize_url(agency, FLOW, prompt="none"), cookie_of(client)),
                     direct=True)
    assert "error=consent_required" in location(answer)
    get_code(client, agency)
    time.sleep(1.01)
    answer = compare(app, effects, lambda: get(authorize_url(agency, FLOW, prompt="none", max_age="0"),
                                               cookie_of(client)), direct=True)
    assert "error=login_required" in location(answer)
    # A level of assurance the citizen's passkeys cannot reach.
    for params in ({"acr_values": HIGH}, {"acr_values": HIGH, "prompt": "none"}):
        answer = compare(app, effects, lambda params=params: get(authorize_url(agency, FLOW, **params),
                                                                 cookie_of(client)), direct=True)
        assert "error=unmet_authentication_requirements" in location(answer)
    # A JARM error: a signed response.
    answer = compare(app, effects, lambda: get(authorize_url(agency, FLOW, prompt="none", max_age="0",
                                                             response_mode="jwt"), cookie_of(client)), direct=True)
    assert "response=" in location(answer)


def test_a_request_object(client, register, citizen, effects):
    signer = register(token_endpoint_auth_method="private_key_jwt")
    get_code(client, signer)
    flow = Flow()
    # Declined: a request object is spent as it is read (idp.oidc.jar), an effect; each
    # request signs its own, as a replay is refused.
    answer = compare(client.application, effects, lambda: get(
        f"/authorize?client_id={signer.client_id}&request="
        + request_object(signer, request_claims(signer, flow, scope="openid profile email")),
        cookie_of(client)), direct=False)
    assert "code=" in location(answer)
    forged = request_object(signer, request_claims(signer, flow, aud="https://other-op.example"))
    page = compare(client.application, effects, lambda: get(
        f"/authorize?client_id={signer.client_id}&request={forged}", cookie_of(client)), direct=False)
    assert page.status.startswith("400")


def test_languages_and_request_ids_do_not_change_the_answer(client, register, citizen, effects, caplog):
    agency = register()
    get_code(client, agency)
    app = client.application
    for language in ("en", "es", "fr;q=0.5"):
        compare(app, effects, lambda language=language: get(authorize_url(agency, FLOW), {
            **cookie_of(client), "Accept-Language": language}), direct=True)
    given = send(app, get(authorize_url(agency, Flow()), {**cookie_of(client), "X-Request-Id": "given-7"}),
                 direct=True)
    assert ("X-Request-Id", "given-7") in given.headers and given.flask_dispatches == 0
    # The access log line and the request metrics, on both paths.
    from infra.ops import metrics

    counted = metrics.REQUESTS.labels("oidc.authorize", "GET", "302", agency.client_id)
    before = counted._value.get()
    with caplog.at_level(logging.INFO, logger="cedula.access"):
        for direct in (True, False):
            send(app, get(authorize_url(agency, Flow()), cookie_of(client)), direct=direct)
    assert counted._value.get() == before + 2
    lines = [(r.method, r.path, r.status) for r in caplog.records if r.name == "cedula.access"]
    assert lines == [("GET", "/authorize", 302)] * 2


# --- declined to the view ------------------------------------------------------------------------

def test_what_needs_a_page_or_a_sign_in_is_declined_before_any_effect(client, register, citizen, effects):
    app = client.application
    agency = register()
    # Signed in, no consent yet: the decision page (the interaction is stored by the view only).
    page, kept = effects.of(lambda: send(app, get(authorize_url(agency, FLOW), cookie_of(client)), direct=True))
    assert kept[0] == ("interaction", "update") and kept[-1] == ("funnel", agency.client_id, ("authorize", "consent"))
    assert len([entry for entry in kept if entry[0] == "funnel"]) == 1  # by the view only
    assert page.status == "200 OK" and b'name="interaction"' in page.body
    compare(app, effects, lambda: get(authorize_url(agency, FLOW), cookie_of(client)), direct=False)
    get_code(client, agency)
    time.sleep(1.01)  # a sign-in older than max_age=0
    for params in ({"prompt": "consent"}, {"prompt": "login"}, {"prompt": "select_account"}, {"max_age": "0"}):
        compare(app, effects, lambda params=params: get(authorize_url(agency, FLOW, **params), cookie_of(client)),
                direct=False)
    # Not signed in, and a session cookie that names no session: to sign in.
    login = compare(app, effects, lambda: get(authorize_url(agency, FLOW)), direct=False)
    assert login.status == "302 FOUND" and location(login).startswith("/login?next=")
    compare(app, effects, lambda: get(authorize_url(agency, FLOW), {"Cookie": "sso=forged; __Host-sso=x"}),
            direct=False)


@pytest.mark.parametrize("params", [
    {"redirect_uri": "https://evil.example/cb"},
    {"client_id": "no-such-client"},
    {"client_id": None},
    {"redirect_uri": None, "extra": "twice"},
    {"request": "not-a-jwt"},
], ids=str)
def test_error_pages_are_declined(client, register, citizen, effects, params):
    agency = register(redirect_uris=["https://portal.example.gov/callback", "https://portal.example.gov/other"])
    params = dict(params)
    if params.pop("extra", None):
        url = authorize_url(agency, Flow()) + "&redirect_uri=x&redirect_uri=y"
    else:
        url = authorize_url(agency, Flow(), **params)
    page = compare(client.application, effects, lambda: get(url, cookie_of(client)), direct=False)
    assert page.status.startswith("400") and "Location" not in dict(page.headers)


def test_a_pushed_request_is_declined_unread(client, register, citizen, effects):
    agency = register(token_endpoint_auth_method="private_key_jwt")
    get_code(client, agency)
    flow = Flow()
    app = client.application
    first = send(app, get(f"/authorize?client_id={agency.client_id}&request_uri="
                          + request_uri_of(client, agency, flow), cookie_of(client)), direct=True)
    assert first.flask_dispatches == 1 and "code=" in location(first)  # taken by the view, once
    compare(app, effects, lambda: get(f"/authorize?client_id={agency.client_id}&request_uri="
                                      + request_uri_of(client, agency, flow), cookie_of(client)), direct=False)


def test_other_methods_and_refused_queries(client, register, citizen, effects):
    agency = register()
    get_code(client, agency)
    app = client.application
    url = authorize_url(agency, Flow())
    for method in ("HEAD", "POST"):
        assert send(app, Sent(method, "/authorize", cookie_of(client), query=query_of(url)),
                    direct=True).flask_dispatches == 1
    # Refused before the handler, by the same checks (no dispatch on the direct path).
    nul = compare(app, effects, lambda: get(url + "&nonce=%00"), direct=True)
    assert nul.status.startswith("400")
    undecodable = compare(app, effects, lambda: get(url + "&nonce=%ff%zz"), direct=True)
    assert undecodable.status == "302 FOUND"  # kept percent-encoded, as werkzeug keeps them


@pytest.mark.parametrize(("failure", "status"), [
    (lambda: sa.exc.TimeoutError("QueuePool limit reached"), "503"),
    (lambda: __import__("infra.store.base", fromlist=["StoreError"]).StoreError("redis is down"), "503"),
    (lambda: RuntimeError("a bug with internals: /secret/path"), "500"),
])
def test_failures_are_answered_alike(client, register, citizen, monkeypatch, effects, failure, status):
    agency = register()
    get_code(client, agency)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise failure()

    monkeypatch.setattr(services, "issue_code", broken)
    monkeypatch.setitem(client.application.config, "PROPAGATE_EXCEPTIONS", False)
    failed = compare(client.application, effects, lambda: get(authorize_url(agency, FLOW), cookie_of(client)),
                     direct=True)
    assert failed.status.startswith(status) and b"/secret/path" not in failed.body


def test_the_redirect_is_sent_as_werkzeug_sends_flask_redirect(oidc_app):
    from flask import redirect

    environ = {"wsgi.url_scheme": "https", "SERVER_NAME": "idp", "SERVER_PORT": "443", "REQUEST_METHOD": "GET"}
    with oidc_app.test_request_context("/authorize"):
        for target in ("https://agency.example/cb?code=abc&state=%22%3C&iss=https%3A%2F%2Fidp",
                       "https://Agéncia.example/c b?x=<'\">&y=é|^"):
            expected = redirect(target, code=302)
            expected.headers["Cache-Control"] = "no-store"
            direct = views._Redirect(target, 302).direct()
            assert direct.headers.items == list(expected.get_wsgi_headers(environ))
            assert direct.body == expected.get_data()


@pytest.mark.parametrize("uri", [
    "https://portal.example.gov/callback", "https://portal.example.gov/cb?tenant=a%20b&x=1",
    "https://Portal.Example.gov/cb", "https://agéncia.example/cb", "https://a.example/c b", "https://a.example/cb?",
    "https://a.example:8443/cb", "https://user@a.example/cb", "http://127.0.0.1:9/cb", "http://[::1]:9/cb",
    "com.example.app:/callback", "https://a.example/cb?x=<y>", "https://a.example/cb#f", "https://a.example/%7Ecb",
])
def test_a_redirect_uri_kept_as_it_is_is_sent_as_werkzeug_sends_it(uri):
    from urllib.parse import quote_plus

    from werkzeug.urls import iri_to_uri

    joiner, as_is = views._client_uri(uri)
    for value in ("abc", "a b/c?d=e&f#g", "é€", "~-._%+"):
        target = f"{uri}{joiner}code={quote_plus(value)}&iss={quote_plus('https://idp.example/x')}"
        assert views._Redirect(target, 302, as_is=as_is).direct().headers.items[2] == ("Location", iri_to_uri(target))
