"""/readyz when the database cannot serve: 503 with Retry-After, as every other answer of a
provider that is missing its database or Redis (balancers and agencies' clients back off)."""

from __future__ import annotations

from tests.conftest import TEST_MASTER_KEY


def test_not_ready_says_when_to_ask_again(tmp_path):
    from idp import create_app

    app = create_app({"server": {"data_dir": str(tmp_path)}, "keys": {"master_key": TEST_MASTER_KEY},
                      "audit": {"seal_seconds": 0}, "logout": {"background": False},
                      "documents": {"archive_renew_hours": 0}})
    response = app.test_client().get("/readyz")  # the schema is not there yet
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["status"] == "fail"
