"""Direct routes (`infra.web.direct_routes`): answered without Flask's request machinery, with
what Flask's hooks give every request (request id, access log line, metrics, first-request
tasks). The answers' parity with the Flask views is in tests/idp/oidc/test_direct_routes.py."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from werkzeug.test import EnvironBuilder

from infra.ops import background
from infra.ops.logging import JsonFormatter
from infra.web import direct_routes
from infra.web.application import CedulaFlask
from tests.idp.oidc.conftest import oidc_app, register  # noqa: F401 - fixtures: a registered agency
from tests.support.metrics import scrape as _metrics
from tests.support.metrics import value as _value


def _call(app, method: str, path: str, **kwargs: Any) -> tuple[str, dict[str, str], bytes]:
    environ = EnvironBuilder(method=method, path=path, environ_base={"REMOTE_ADDR": "198.51.100.4"},
                             **kwargs).get_environ()
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        got.update(status=status, headers=dict(headers))

    body = b"".join(app(environ, start_response))
    return got["status"], got["headers"], body


def _no_flask_dispatch(monkeypatch, app) -> None:
    def refused() -> None:
        raise AssertionError("Flask dispatched a direct route's request")

    monkeypatch.setattr(app, "full_dispatch_request", refused)




class _Lines(logging.Handler):
    """The JSON lines of a logger, formatted as they are written (inside the request)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def test_a_direct_request_is_logged_and_counted(client, register, monkeypatch):  # noqa: F811 - the fixture
    app = client.application
    assert direct_routes.installed(app).routes[("GET", "/userinfo")][0] == "oidc_api.userinfo_endpoint"
    agency = register()
    count = (r'cedula_http_requests_total\{{agency="{agency}",endpoint="{endpoint}",method="{method}",'
             r'status="{status}"\}}')
    refused = count.format(agency="", endpoint="oidc_api.userinfo_endpoint", method="GET", status="401")
    labelled = count.format(agency=agency.client_id, endpoint="oidc_api.token", method="POST", status="400")
    timed = r'cedula_http_request_seconds_count\{endpoint="oidc_api.token"\}'
    before = _metrics(client)

    access = logging.getLogger("cedula.access")
    lines = _Lines()
    level = access.level
    access.setLevel(logging.INFO)
    access.addHandler(lines)
    _no_flask_dispatch(monkeypatch, app)
    try:
        status, headers, _body = _call(app, "GET", "/userinfo")
        # Authenticated, then refused: the request carries the agency's label.
        token_status, token_headers, token_body = _call(
            app, "POST", "/token", data={"grant_type": "password"},
            headers={"Authorization": "Basic " + __import__("base64").b64encode(
                f"{agency.client_id}:{agency.secret}".encode()).decode()})
    finally:
        access.removeHandler(lines)
        access.setLevel(level)
        monkeypatch.undo()
    assert status.startswith("401") and token_status.startswith("400"), token_body
    assert json.loads(token_body)["error"] == "unsupported_grant_type"

    logged = [line for line in lines.lines if line["message"] == "request"]
    assert [(line["method"], line["path"], line["status"], line["remote"]) for line in logged] == [
        ("GET", "/userinfo", 401, "198.51.100.4"), ("POST", "/token", 400, "198.51.100.4")]
    assert [line["request_id"] for line in logged] == [headers["X-Request-Id"], token_headers["X-Request-Id"]]
    assert all(line["duration_ms"] >= 0 for line in logged)

    after = _metrics(client)
    assert _value(after, refused) - _value(before, refused) == 1
    assert _value(after, labelled) - _value(before, labelled) == 1
    assert _value(after, timed) - _value(before, timed) == 1
    # The security headers (a middleware outside the app) are on the direct answer too.
    assert headers["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in headers


def test_the_request_id_a_client_sends_is_kept(client, monkeypatch):
    _no_flask_dispatch(monkeypatch, client.application)
    _status, headers, _body = _call(client.application, "GET", "/userinfo", headers={"X-Request-Id": "abc-123"})
    assert headers["X-Request-Id"] == "abc-123"
    _status, headers, _body = _call(client.application, "GET", "/userinfo", headers={"X-Request-Id": "x" * 65})
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-Id"])


class _Task(background.Periodic):
    name = "test-direct-task"

    def tick(self) -> None:
        pass


def _bare_app() -> CedulaFlask:
    app = CedulaFlask("direct-test")
    order: list[str] = []
    app.config["order"] = order
    direct_routes.on_start(app, lambda asked: order.append(f"start 1 {asked.endpoint}"))
    direct_routes.on_start(app, lambda asked: order.append("start 2"))
    direct_routes.on_finish(app, lambda asked, status, headers: order.append(f"finish 1 {status}"))
    direct_routes.on_finish(app, lambda asked, status, headers: headers.__setitem__("X-Two", "2"))

    def hello(asked: direct_routes.DirectRequest) -> direct_routes.DirectResponse:
        if asked.header("X-Fail"):
            raise RuntimeError("a bug")
        return direct_routes.json_response(201, {"form": asked.form(), "path": asked.path},
                                           {"Cache-Control": "no-store", "content-type": "application/json"})

    app.add_url_rule("/hello", "hello", lambda: "flask", methods=["GET", "POST"])
    direct_routes.route(app, "POST", "/hello", "hello", hello)
    return app


def test_a_direct_route_runs_its_hooks_in_flasks_order():
    app = _bare_app()
    status, headers, body = _call(app, "POST", "/hello", data={"a": "1", "b": "2"})
    assert status == "201 CREATED"
    assert json.loads(body) == {"form": [["a", "1"], ["b", "2"]], "path": "/hello"}
    assert headers["Content-Type"] == "application/json" and headers["X-Two"] == "2"
    assert headers["Content-Length"] == str(len(body))
    assert app.config["order"] == ["start 1 hello", "start 2", "finish 1 201"]
    # Another method, or the route switched off: Flask.
    assert _call(app, "GET", "/hello")[2] == b"flask"
    direct_routes.installed(app).enabled = False
    assert _call(app, "POST", "/hello", data={"a": "1"})[2] == b"flask"


def test_a_failing_direct_route_is_answered_by_flasks_error_handling():
    app = _bare_app()
    status, _headers, body = _call(app, "POST", "/hello", data={"a": "1"}, headers={"X-Fail": "1"})
    assert status == "500 INTERNAL SERVER ERROR" and b"a bug" not in body


def test_the_first_direct_request_starts_the_background_tasks():
    app = _bare_app()
    task = _Task(seconds=0)
    background.start_with_first_request(app, task)
    starter = background.STARTER.of(app)
    assert starter.direct_hook in direct_routes.installed(app).start_hooks
    _call(app, "POST", "/hello", data={"a": "1"})
    assert task.started
    assert starter.direct_hook not in direct_routes.installed(app).start_hooks
    assert starter.hook not in app.before_request_funcs.get(None, [])


def test_a_declining_handler_leaves_the_request_to_flask_untouched():
    app = CedulaFlask("direct-decline")
    seen: dict[str, Any] = {}

    def maybe(asked: direct_routes.DirectRequest) -> direct_routes.DirectResponse | None:
        from flask import g

        g.attempted = True
        args: dict[str, list[str]] = {}
        for name, value in asked.args():
            args.setdefault(name, []).append(value)
        seen.update(args=args, cookies=dict(asked.cookies()))
        if asked.args() == [("direct", "1")]:
            return direct_routes.DirectResponse(200, direct_routes.DirectHeaders([("X-By", "direct")]), b"direct")
        return None  # declined: Flask answers

    def view() -> str:
        from flask import g, request

        assert "attempted" not in g  # a new application context
        return "flask " + request.get_data(as_text=True)

    app.add_url_rule("/maybe", "maybe", view, methods=["POST"])
    direct_routes.route(app, "POST", "/maybe", "maybe", maybe)
    assert _call(app, "POST", "/maybe", query_string="direct=1", data=b"x=1",
                 headers={"Cookie": "a=b", "Content-Type": "text/plain"})[2] == b"direct"
    assert seen == {"args": {"direct": ["1"]}, "cookies": {"a": "b"}}
    # Declined: the body is still there for Flask's view, and `flask.request` is Flask's again.
    assert _call(app, "POST", "/maybe", query_string="other=2&other=3", data=b"x=1",
                 headers={"Content-Type": "text/plain"})[2] == b"flask x=1"
    assert seen["args"] == {"other": ["2", "3"]}


def test_a_handler_that_read_the_body_cannot_decline():
    app = CedulaFlask("direct-greedy")

    def greedy(asked: direct_routes.DirectRequest) -> None:
        asked.body()

    app.add_url_rule("/greedy", "greedy", lambda: "flask", methods=["POST"])
    direct_routes.route(app, "POST", "/greedy", "greedy", greedy)
    status, _headers, _body = _call(app, "POST", "/greedy", data={"a": "1"})
    assert status == "500 INTERNAL SERVER ERROR"


def test_a_direct_request_has_its_own_application_context_torn_down_as_flasks():
    from flask import appcontext_popped, appcontext_pushed, appcontext_tearing_down, g

    app = CedulaFlask("direct-context")
    seen: list[Any] = []

    def handler(asked: direct_routes.DirectRequest) -> direct_routes.DirectResponse:
        assert "mark" not in g  # a fresh `g` for every request
        g.mark = asked.path
        if asked.args() == [("fail", "1")]:
            raise RuntimeError("a bug")
        return direct_routes.DirectResponse(200, direct_routes.DirectHeaders([]), b"ok")

    app.teardown_appcontext(lambda exc: seen.append(("teardown", g.get("mark"), exc)))
    app.add_url_rule("/ctx", "ctx", lambda: "flask", methods=["POST"])
    direct_routes.route(app, "POST", "/ctx", "ctx", handler)
    assert _call(app, "POST", "/ctx", data={"a": "1"})[2] == b"ok"
    assert _call(app, "POST", "/ctx", data={"a": "1"})[2] == b"ok"
    assert seen == [("teardown", "/ctx", None)] * 2
    seen.clear()
    # Signals reach whoever listens; a failure answered by Flask is no exception for the teardown.
    signals = (appcontext_pushed, appcontext_tearing_down, appcontext_popped)
    listeners = [lambda sender, name=signal.name, **kw: seen.append((name, kw.get("exc")))
                 for signal in signals]
    for signal, listener in zip(signals, listeners, strict=True):
        signal.connect(listener, app, weak=False)
    try:
        status = _call(app, "POST", "/ctx", query_string="fail=1", data={"a": "1"})[0]
    finally:
        for signal, listener in zip(signals, listeners, strict=True):
            signal.disconnect(listener, app)
    assert status == "500 INTERNAL SERVER ERROR"
    assert seen == [("appcontext-pushed", None), ("teardown", "/ctx", None),
                    ("appcontext-tearing-down", None), ("appcontext-popped", None)]
