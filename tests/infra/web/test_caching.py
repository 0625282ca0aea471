"""infra.web.caching: the answer a view marks no-store keeps that mark and its type."""

from __future__ import annotations

from flask import Response, redirect

from infra.web.caching import no_store


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
