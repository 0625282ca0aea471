"""infra.web.caching: the answer a view marks no-store keeps that mark and its type."""

from __future__ import annotations

from flask import Flask, Response, redirect

from infra.web.caching import no_store, uncached_json


def test_no_store_marks_the_response_itself_and_returns_it():
    response = Response("{}", mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=60"
    marked = no_store(response)
    assert marked is response
    assert response.headers.getlist("Cache-Control") == ["no-store"]


def test_no_store_keeps_a_redirect_a_redirect():
    response = no_store(redirect("/account", code=303))
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert response.headers["Cache-Control"] == "no-store"


def test_uncached_json_is_json_no_cache_keeps_http_1_0_ones_included():
    with Flask(__name__).app_context():
        response = uncached_json({"access_token": "t"}, 201)
    assert (response.status_code, response.get_json()) == (201, {"access_token": "t"})
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Pragma"] == "no-cache"
    assert response.mimetype == "application/json"
