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


def test_url_adapters_name_the_host_as_werkzeug_does():
    from werkzeug.exceptions import BadHost
    from werkzeug.routing import Map

    app = CedulaFlask(__name__)
    plain = Map()
    for host in ("localhost", "LocalHost:8080", "idp.gob.sv", "bücher.example:443", "bücher.example"):
        for _twice in range(2):  # encoded, then remembered
            ours = app.url_map.bind(host, path_info="/x", query_args="a=1")
            theirs = plain.bind(host, path_info="/x", query_args="a=1")
            assert (ours.server_name, ours.script_name, ours.subdomain, ours.path_info, ours.query_args) == (
                theirs.server_name, theirs.script_name, theirs.subdomain, theirs.path_info, theirs.query_args)
    with pytest.raises(BadHost):
        app.url_map.bind("a" * 64 + ".example")  # a label over 63 octets is no IDNA name
    for n in range(100):  # names from clients' Host headers: only a few are remembered
        app.url_map.bind(f"h{n}.example")
    assert len(app.url_map._idna) == app.url_map.KEPT_HOSTS


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
