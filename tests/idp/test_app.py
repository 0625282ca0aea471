"""The application shell: health, readiness, headers, errors, languages, OpenAPI."""

from __future__ import annotations

from infra.web.i18n import catalog
from tests.conftest import TEST_MASTER_KEY


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_checks_database_and_store(client, backend):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["store"]["backend"] == ("redis" if backend.redis_url else "memory")


def test_security_headers_on_pages(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_spanish_is_the_default_and_english_on_request(client):
    assert '<html lang="es">' in client.get("/").get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.get_data(as_text=True)


def test_language_switch_remembers_the_choice(client):
    response = client.get("/language/en?next=/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_language_switch_is_not_an_open_redirect(client):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.get("/language/en", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_unknown_page_is_a_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_unknown_api_path_is_json_error(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
    assert response.get_json()["error_description"]


def test_openapi_document(client):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert "/readyz" in document["paths"]


def test_metrics_are_exposed(client):
    from infra.config import get_settings
    from infra.ops.metrics import TOKEN_FILE

    client.get("/healthz")
    token = (get_settings(client.application).data_dir / TOKEN_FILE).read_text().strip()
    body = client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True)
    assert "cedula_http_requests_total" in body


def test_every_message_is_translated(app):
    assert catalog(app).missing() == []


def test_a_key_store_failure_is_a_503_not_a_500(fresh_app, monkeypatch):
    from keys import KeyStoreUnavailable

    def broken():
        raise KeyStoreUnavailable("the HSM does not answer")

    monkeypatch.setitem(fresh_app.view_functions, "home.index", broken)
    client = fresh_app.test_client()
    page = client.get("/")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "HSM" not in page.get_data(as_text=True)
    api = client.get("/", headers={"Accept": "application/json"})
    assert api.status_code == 503
    assert api.get_json()["error"] == "temporarily_unavailable"


def test_the_app_is_built_before_the_database_exists(tmp_path):
    """`cedula db upgrade` builds no app, but operators' tools may: building one opens nothing."""
    from idp import create_app

    app = create_app({"server": {"data_dir": str(tmp_path)}, "keys": {"master_key": TEST_MASTER_KEY},
                      # no background threads: they would outlive this test's database
                      "audit": {"seal_seconds": 0}, "logout": {"background": False}, "notify": {"background": False},
                      "documents": {"archive_renew_hours": 0}})
    assert app.test_client().get("/readyz").status_code == 503  # the schema is not there yet
