"""/readyz when the database cannot serve: 503 with Retry-After, as every other answer of a
provider that is missing its database or Redis (balancers and agencies' clients back off)."""

from __future__ import annotations

from tests.conftest import TEST_MASTER_KEY


def test_not_ready_says_when_to_ask_again(tmp_path):
    from idp import create_app

    app = create_app({"server": {"data_dir": str(tmp_path)}, "keys": {"master_key": TEST_MASTER_KEY},
                      "audit": {"seal_seconds": 0}, "logout": {"background": False}, "notify": {"background": False},
                      "documents": {"archive_renew_hours": 0}})
    response = app.test_client().get("/readyz")  # the schema is not there yet
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["status"] == "fail"


LEAK = "postgresql://cedula:s3cret@db.internal.example:5432/cedula in /srv/cedula/secrets/hsm.so"


def _failing_app(tmp_path):
    from idp import create_app
    from infra.ops.health import add_readiness_check

    app = create_app({"server": {"data_dir": str(tmp_path)}, "keys": {"master_key": TEST_MASTER_KEY},
                      "audit": {"seal_seconds": 0}, "logout": {"background": False}, "notify": {"background": False},
                      "documents": {"archive_renew_hours": 0}})

    def broken() -> None:
        raise RuntimeError(LEAK)

    add_readiness_check(app, "ledger", broken)
    add_readiness_check(app, "vault", broken, advice="unlock the vault with `cedula vault unlock`")
    return app


def test_a_failing_check_names_the_part_not_its_exception(tmp_path, caplog):
    """The public answer names the part that is down and what to do; the exception text (DSNs,
    host names, paths) goes only to this node's log."""
    app = _failing_app(tmp_path)
    with caplog.at_level("WARNING"):
        response = app.test_client().get("/readyz")
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    for secret in ("s3cret", "db.internal", "/srv/cedula", "RuntimeError"):
        assert secret not in text
    checks = response.get_json()["checks"]
    assert checks["ledger"]["status"] == "fail"
    assert "ledger" in checks["ledger"]["detail"] and "log" in checks["ledger"]["detail"]
    assert checks["vault"] == {"status": "fail", "detail": "unlock the vault with `cedula vault unlock`"}
    logged = [r for r in caplog.records if getattr(r, "error", None) == LEAK]
    assert {r.getMessage() for r in logged} == {"ledger not ready", "vault not ready"}


def test_a_wrong_method_on_the_machine_endpoints_is_json(tmp_path):
    """A probe or a scraper sent with the wrong method reads a JSON 405 (it was an HTML page
    unless the request asked for JSON)."""
    from idp import create_app

    app = create_app({"server": {"data_dir": str(tmp_path)}, "keys": {"master_key": TEST_MASTER_KEY},
                      "audit": {"seal_seconds": 0}, "logout": {"background": False}, "notify": {"background": False},
                      "documents": {"archive_renew_hours": 0}})
    for path in ("/healthz", "/readyz", "/metrics"):
        response = app.test_client().post(path, headers={"Accept": "*/*"})
        assert response.status_code == 405, (path, response.status_code)
        assert response.mimetype == "application/json", (path, response.mimetype)
        assert response.get_json()["error"] == "method_not_allowed"
