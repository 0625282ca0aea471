"""CedulaFlask: Flask's own answer for anything but a plain synchronous function."""

from __future__ import annotations

import functools
import inspect

import pytest

from infra.web.application import CedulaFlask


def test_plain_and_decorated_functions_are_called_as_they_are():
    app = CedulaFlask(__name__)

    def view() -> str:
        return "ok"

    @functools.wraps(view)
    def wrapped() -> str:
        return view()

    assert app.ensure_sync(view) is view
    assert app.ensure_sync(wrapped) is wrapped


@pytest.mark.parametrize("kind", ["async def", "marked", "partial"])
def test_coroutine_functions_go_the_way_flask_goes(kind, monkeypatch):
    app = CedulaFlask(__name__)
    handed = []
    monkeypatch.setattr(app, "async_to_sync", lambda func: handed.append(func) or "wrapped")

    async def view() -> str:
        return "ok"

    def plain() -> None: ...

    func = {"async def": view, "marked": plain, "partial": functools.partial(view)}[kind]
    if kind == "marked":
        if not hasattr(inspect, "markcoroutinefunction"):
            pytest.skip("inspect.markcoroutinefunction is Python 3.12+")
        inspect.markcoroutinefunction(plain)
    assert app.ensure_sync(func) == "wrapped" and handed == [func]


def test_the_provider_uses_it(app):
    assert isinstance(app, CedulaFlask)


def test_json_responses_are_the_bytes_flask_makes():
    import datetime
    import json
    import uuid

    from flask.json.provider import DefaultJSONProvider

    app = CedulaFlask(__name__)
    body = {"z": "María", "a": [1, 2.5, None, True], "d": datetime.date(1990, 5, 17),
            "u": uuid.UUID(int=1), "n": {"b": 1, "a": 2}}
    flasks = DefaultJSONProvider(app)
    for sort_keys in (True, False):
        app.json.sort_keys = flasks.sort_keys = sort_keys
        with app.app_context():
            ours, theirs = app.json.response(body), flasks.response(body)
        assert ours.get_data() == theirs.get_data()
        assert ours.mimetype == theirs.mimetype == "application/json"
        assert json.loads(ours.get_data())["z"] == "María"
    app.debug = True  # indented, as Flask does in debug mode
    with app.app_context():
        assert app.json.response(body).get_data() == flasks.response(body).get_data()


def test_verbatim_members_give_the_bytes_flask_makes():
    from flask.json.provider import DefaultJSONProvider

    app = CedulaFlask(__name__)
    body = {"token": "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_", "type": "Bearer", "n": 300,
            "flag": True, "z": "María", "list": [1, "ü"], "none": None, "f": 2.5}
    flasks = DefaultJSONProvider(app)
    for sort_keys in (True, False):
        for ensure_ascii in (True, False):
            app.json.sort_keys = flasks.sort_keys = sort_keys
            app.json.ensure_ascii = flasks.ensure_ascii = ensure_ascii
            with app.app_context():
                theirs = flasks.response(body).get_data()
                assert app.json.body(body, frozenset({"token", "type", "absent"})) == theirs
                assert app.json.body(body) == theirs
    app.debug = True  # indented, as Flask does in debug mode
    with app.app_context():
        assert app.json.body(body, frozenset({"token"})) == flasks.response(body).get_data()


def test_a_kept_body_is_written_once_per_setting_as_flask_writes_it():
    """`KeptJSON` (UserInfo's answer, the same for every request of a token): its text is
    written once and kept, for each setting the bytes Flask makes; it cannot be changed."""
    from flask.json.provider import DefaultJSONProvider

    from infra.web.application import KeptJSON

    app = CedulaFlask(__name__)
    body = {"sub": "abc", "given_name": "Ana María", "email_verified": False, "n": 3}
    kept = KeptJSON(body)
    flasks = DefaultJSONProvider(app)
    for sort_keys in (True, False, True):
        app.json.sort_keys = flasks.sort_keys = sort_keys
        with app.app_context():
            first = app.json.body(kept)
            assert first == flasks.response(body).get_data() == app.json.body(dict(body))
            assert app.json.body(kept) is first  # kept, not written again
    for change in (lambda: kept.__setitem__("sub", "x"), lambda: kept.update(a=1), lambda: kept.pop("sub"),
                   kept.clear, lambda: kept.setdefault("a", 1), lambda: kept.__delitem__("sub")):
        with pytest.raises(TypeError):
            change()
    assert kept == body


@pytest.mark.parametrize("make", [
    lambda r: r("{}", mimetype="application/json"),
    lambda r: r("", status=201, headers={"Location": "/x/ñ"}),
    lambda r: r("moved", status=302, headers={"Location": "/elsewhere"}),
    lambda r: r("", status=200, headers={"Content-Location": "/ü"}),
    lambda r: r("", status=204),
    lambda r: r("", status=304, headers={"ETag": '"a"'}),
    lambda r: r(iter([b"a", b"b"]), status=200),
    lambda r: r("<p>no</p>", status=404, mimetype="text/html"),
])
def test_responses_send_the_headers_werkzeug_sends(make):
    from flask import Response
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/here", base_url="https://idp.example").get_environ()
    ours, theirs = make(CedulaFlask.response_class), make(Response)
    assert ours.get_wsgi_headers(environ).to_wsgi_list() == theirs.get_wsgi_headers(environ).to_wsgi_list()


def test_without_a_secret_key_every_request_shares_one_null_session():
    from flask import session

    app = CedulaFlask(__name__)
    seen = []

    @app.get("/")
    def home() -> str:
        seen.append(session._get_current_object())
        with pytest.raises(RuntimeError, match="secret key"):
            session["x"] = "y"  # a null session refuses to be written to
        return "ok"

    client = app.test_client()
    assert client.get("/").status_code == 200 and client.get("/").status_code == 200
    assert seen[0] is seen[1] and not seen[0]


def test_with_a_secret_key_flask_sessions_work_as_ever():
    from flask import session

    app = CedulaFlask(__name__)
    app.secret_key = "s" * 32

    @app.get("/set")
    def put() -> str:
        session["n"] = 1
        return "ok"

    @app.get("/get")
    def get() -> str:
        return str(session.get("n"))

    client = app.test_client()
    client.get("/set")
    assert client.get("/get").get_data(as_text=True) == "1"
