"""`GET /api/indicators` as an agency's developer calls it: a query parameter the API does not
take (a misspelled `strat`, a `from`/`to` guessed from another API, an `agency` naming someone
else) is refused with `400 invalid_request` naming it and the parameters it takes. It was
ignored: the answer was the default period (the last 30 days) with `200`, and the developer's
report silently covered other days than the ones asked for."""

from __future__ import annotations

import pytest

from tests.signing.conftest import pki_app, pki_rows  # noqa: F401 - fixtures


@pytest.fixture
def indicators(pki_app):  # noqa: F811
    from tests.idp.documents.conftest import agency_token, register
    from tests.idp.oidc.conftest import bearer

    web = pki_app.test_client()
    agency = register(pki_app, client_id="cifras", scope="openid indicators:read")
    headers = bearer(agency_token(web, agency, scope="indicators:read"))
    return lambda query: web.get("/api/indicators" + query, headers=headers)


@pytest.mark.parametrize(("query", "unknown"), [
    ("?strat=2026-11-01", "strat"), ("?from=2026-11-01&to=2026-11-30", "from"),
    ("?format=csv&agency=otra-agencia", "agency"), ("?start=2026-11-01&Step=week", "Step")])
def test_a_parameter_the_api_does_not_take_is_named(indicators, query, unknown):
    answer = indicators(query)
    body = answer.get_json()
    assert answer.status_code == 400, answer.get_data(as_text=True)[:200]
    assert body["error"] == "invalid_request"
    assert body["error_description"].startswith(f"{unknown}: ")
    assert "start, end, step, format" in body["error_description"]


def test_the_guides_parameters_still_work(indicators):
    answer = indicators("?start=2026-11-01&end=2026-11-30&step=week&format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert indicators("").status_code == 200


def test_the_guide_says_so():
    from idp.developers.views import SOURCE

    text = SOURCE.read_text(encoding="utf-8")
    section = text[text.index("### Your indicators"):text.index("## 8. Errors")]
    assert "a misspelled or unknown one is `400 invalid_request` naming it" in section
