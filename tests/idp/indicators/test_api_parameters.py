"""`GET /api/indicators` refuses a repeated parameter, as the protocol endpoints do (the guide:
`invalid_request` when "a parameter is missing, repeated or malformed"): it took the first
(`step=day&step=week` answered by day) and a portal never learnt which one counted."""

from __future__ import annotations

import pytest

from tests.idp.documents.conftest import agency_token, register
from tests.idp.oidc.conftest import bearer


@pytest.mark.parametrize("query", ["step=day&step=week", "format=json&format=csv",
                                   "start=2026-11-01&start=2026-11-02", "end=2026-11-30&end=2026-11-29"])
def test_a_repeated_parameter_is_invalid_request(web, docs_app, query):
    agency = register(docs_app, client_id="indicadores", scope="openid indicators:read")
    answer = web.get(f"/api/indicators?{query}", headers=bearer(agency_token(web, agency)))
    assert answer.status_code == 400
    name = query.split("=")[0]
    assert answer.get_json() == {"error": "invalid_request",
                                 "error_description": f"{name}: given more than once; give it once"}
