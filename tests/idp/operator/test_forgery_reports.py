"""Console: operators read the reports of possible forgeries sent from /verify."""

from __future__ import annotations

import re

CODE = "7KQ4-M2XH-9PRT-WC3N-B8DA"


def test_operators_see_reports_newest_first(client, oidc_app, operator):
    visitor = oidc_app.test_client()
    page = visitor.get(f"/verify/{CODE}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for where in ("Mercado central", "Un anuncio en internet"):
        sent = visitor.post("/verify/report", data={"csrf_token": token, "code": CODE,
                                                    "where": where, "contact": "ana@example.org"})
        assert sent.status_code == 201
    assert "/operator/forgery-reports" in client.get("/operator").get_data(as_text=True)
    html = client.get("/operator/forgery-reports").get_data(as_text=True)
    assert html.index("Un anuncio en internet") < html.index("Mercado central")
    assert CODE in html and "ana@example.org" in html


def test_empty_list(client, oidc_app, operator):
    html = client.get("/operator/forgery-reports").get_data(as_text=True)
    assert "No hay avisos." in html
