"""Errors people and clients meet: a part the service needs is down (503 with Retry-After and a
sentence, never a 500), and every status's page says what went wrong and what to do next."""

from __future__ import annotations

import base64

import pytest
import sqlalchemy as sa
from markupsafe import escape

from infra.db import DATABASE, Database
from infra.web.errors import _HTTP_CODES
from tests.support.components import replace_component
from tests.support.ports import free_port


def test_store_down_is_503_with_retry_after_for_an_api(fresh_app, dead_store):
    # The pages' own script asks in the citizen's language (else an API speaks English).
    response = fresh_app.test_client().post("/webauthn/authentication/options", json={},
                                            headers={"Accept-Language": "es"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json() == {
        "error": "temporarily_unavailable",
        "error_description": "No podemos consultar las sesiones en este momento porque un servicio "
                             "interno no responde. No se perdió nada de lo que ya hizo. "
                             "Inténtelo de nuevo en 5 segundos."}


def test_store_down_is_a_503_page_for_people(fresh_app, dead_store):
    client = fresh_app.test_client()
    client.set_cookie("cedula_session", "a-session-id-the-store-cannot-look-up")
    response = client.get("/account", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "The service is briefly unavailable" in page
    assert "Try again in 5 seconds." in page
    assert "Traceback" not in page and "Redis" not in page


def _answer_while_unavailable(app, path="/token", data=None):
    """A client's request to `path` (default: client credentials at /token), answered 503
    temporarily_unavailable with Retry-After; the answer."""
    response = app.test_client().post(
        path, data=data or {"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + base64.b64encode(b"some-client:secret").decode()})
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"] == "temporarily_unavailable"
    return response


def test_database_down_is_503_with_retry_after(fresh_app, monkeypatch):
    from idp.schema import SCHEMA

    dead = Database(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none", schema=SCHEMA)
    replace_component(monkeypatch, fresh_app, DATABASE, dead)
    response = _answer_while_unavailable(fresh_app)
    assert "the database is not answering" in response.get_json()["error_description"]
    dead.dispose()


@pytest.mark.parametrize("path", ["/audit/log-keys.json", "/audit/checkpoint.json"])
def test_a_json_document_is_a_json_503_while_the_database_is_down(fresh_app, monkeypatch, path):
    """Auditors' scripts fetch the log's keys and checkpoint: their 503 is the API's JSON error
    (an HTML page was answered, which such a client cannot read), whatever Accept says."""
    from idp.schema import SCHEMA

    dead = Database(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none", schema=SCHEMA)
    replace_component(monkeypatch, fresh_app, DATABASE, dead)
    response = fresh_app.test_client().get(path, headers={"Accept": "*/*"})
    dead.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"] == "temporarily_unavailable"


def test_a_wrong_statement_is_still_a_500(fresh_app, monkeypatch):
    """Only unavailability becomes 503: a programming error is not dressed up as an outage."""
    from infra.db import is_unavailable

    with pytest.raises(sa.exc.DBAPIError) as caught:
        with fresh_app.app_context():
            from infra.db import get_db

            with get_db(fresh_app).read() as session:
                session.execute(sa.text("SELECT * FROM no_such_table"))
    assert not is_unavailable(caught.value)


def _raise_after_the_view(app, monkeypatch, error: Exception) -> None:
    """Every request of `app` fails with `error` in an after_request hook, which Flask hands,
    as in production (PROPAGATE_EXCEPTIONS off), to its error handlers."""
    def fail(response):
        raise error

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setitem(app.after_request_funcs, None, [*app.after_request_funcs.get(None, []), fail])


@pytest.mark.parametrize("error", [
    lambda: sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection")),
    lambda: sa.exc.InvalidRequestError("This connection is closed"),
], ids=["driver-error", "pool-gave-up"])
def test_database_lost_after_the_view_is_503_not_500(fresh_app, monkeypatch, error):
    """An after_request hook (the error indicators write to the database) failing while the
    database goes away reaches Flask's handle_exception, which hands an InternalServerError to
    the HTTPException handler: it must still answer 503."""
    _raise_after_the_view(fresh_app, monkeypatch, error())
    # /introspect: a JSON endpoint Flask dispatches (/token is a direct route, whose finish
    # hooks are tested in tests/idp/oidc/test_direct_routes.py).
    _answer_while_unavailable(fresh_app, "/introspect", {"token": "x"})


def test_store_lost_after_the_view_is_503_not_500(fresh_app, monkeypatch):
    from infra.store.base import StoreError

    _raise_after_the_view(fresh_app, monkeypatch, StoreError("connection refused"))
    response = fresh_app.test_client().get("/verify", headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"


def test_a_bug_after_the_view_is_still_a_500(fresh_app, monkeypatch):
    _raise_after_the_view(fresh_app, monkeypatch, KeyError("a bug, nothing to do with the database"))
    response = fresh_app.test_client().get("/verify", headers={"Accept": "text/html"})
    assert response.status_code == 500


# --- the error page of every status: its own title, and a sentence that says what to do --------

# One word or phrase of a next step, per language (the page must say what to do, not only what
# went wrong).
NEXT_STEP = {
    "es": ("Inténtelo", "Revise", "Vuelva", "Espere", "Inicie sesión", "Elija", "Use", "Envíe", "Recargue"),
    "en": ("Try", "Check", "Go back", "Wait", "Sign in", "Choose", "Use", "Send", "Reload"),
}


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("status", sorted(_HTTP_CODES))
def test_each_error_page_names_the_problem_in_the_language_and_says_what_to_do(fresh_app, status, lang):
    """An error page has a title of its own (not another status's), a sentence from the
    catalog in the page's language (never werkzeug's English default) that says what to do."""
    from werkzeug.exceptions import default_exceptions

    from infra.web.i18n import catalog

    exc = default_exceptions[status]()
    with fresh_app.test_request_context("/somewhere", headers={"Accept": "text/html",
                                                               "Accept-Language": lang}):
        response = fresh_app.handle_http_exception(exc)
        texts = catalog(fresh_app)
        title, message = texts.get(f"error.title.{status}", lang), texts.get(f"error.http.{status}", lang)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert title and message, f"error.title.{status} / error.http.{status} missing in {lang}"
    assert f"<title>Error: {escape(title)} · " in page and str(escape(message)) in page
    assert str(escape(exc.description)) not in page
    assert any(step in message for step in NEXT_STEP[lang]), f"{status} [{lang}]: {message!r} says no next step"


@pytest.mark.parametrize("status", [406, 408, 410, 411, 412, 414, 416, 417, 428, 431, 501])
def test_a_status_without_a_sentence_of_its_own_still_speaks_the_page_language(fresh_app, status):
    """A rarer status (no catalog entry) gets the general sentence of its class in Spanish,
    never werkzeug's English description."""
    from werkzeug.exceptions import default_exceptions

    from infra.web.i18n import catalog

    exc = default_exceptions[status]()
    with fresh_app.test_request_context("/somewhere", headers={"Accept": "text/html", "Accept-Language": "es"}):
        response = fresh_app.handle_http_exception(exc)
        general = catalog(fresh_app).get("error.http.500" if status >= 500 else "error.http.400", "es")
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert str(escape(exc.description)) not in page and str(escape(general)) in page


@pytest.mark.parametrize(("method", "path", "methods"), [
    ("GET", "/token", "POST"), ("PUT", "/userinfo", "GET, POST"),
    ("POST", "/.well-known/openid-configuration", "GET")])
def test_an_api_called_with_the_wrong_method_names_the_methods_it_accepts(client, method, path, methods):
    """An agency developer who sends GET /token was told to go back and use the page's
    buttons (the citizens' sentence); a POST to a discovery document got an HTML page."""
    response = client.open(path, method=method, headers={"Accept-Language": "en"})
    assert response.status_code == 405 and response.is_json
    assert response.get_json() == {
        "error": "method_not_allowed",
        "error_description": f"This endpoint accepts only: {methods}. Send the request with one of "
                             "those methods (the developers' guide is at /developers)."}
    assert [m for m in response.headers["Allow"].split(", ") if m not in ("HEAD", "OPTIONS")] \
        == methods.split(", ")


def test_a_too_large_api_body_says_the_limit(client):
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    response = client.post("/token", data=b"a" * (limit + 1), headers={"Accept-Language": "en"},
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response.get_json() == {
        "error": "request_too_large",
        "error_description": f"The request body is larger than this endpoint accepts ({limit} bytes "
                             "at most): send a smaller body."}


@pytest.fixture
def database_behind(fresh_app, monkeypatch, tmp_path, backend):
    """The app's database swapped for one at the first revision of every package's branch: a
    node started on this version before `cedula db upgrade` ran."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from idp.schema import SCHEMA
    from tests.support.live import database_for

    with database_for(backend.name, tmp_path) as url:
        config = SCHEMA.alembic_config(url)
        command.upgrade(config, ScriptDirectory.from_config(config).get_bases())
        behind = Database(url, schema=SCHEMA)
        replace_component(monkeypatch, fresh_app, DATABASE, behind)
        yield behind
        behind.dispose()


@pytest.mark.parametrize(("path", "accept"), [("/audit/log-keys.json", "*/*"), ("/transparency", "text/html")])
def test_a_database_older_than_this_version_is_a_503_not_a_500(fresh_app, database_behind, path, accept, caplog):
    """A table this version added is missing: the request is answered as an outage (503 with
    Retry-After, the operator told to run `cedula db upgrade`), not as a bug (500)."""
    response = fresh_app.test_client().get(path, headers={"Accept": accept, "Accept-Language": "en"})
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"] == "5"
    assert "the database is not answering" in response.get_data(as_text=True)
    assert any("cedula db upgrade" in str(getattr(record, "action", "")) for record in caplog.records)


def test_a_wrong_statement_on_a_current_database_is_still_a_500(fresh_app, monkeypatch):
    """Only a database behind this version's schema makes a failed statement a 503."""
    _raise_after_the_view(fresh_app, monkeypatch,
                          sa.exc.ProgrammingError("SELECT x", {}, Exception("no such column: x")))
    response = fresh_app.test_client().get("/verify", headers={"Accept": "text/html"})
    assert response.status_code == 500
