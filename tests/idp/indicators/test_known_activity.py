"""Known activity in, exact numbers out: two agencies, N sign-ins, M documents, K consents
withdrawn, read back from the operator's report, the CSV export, the agency API and the
transparency page (with "< 5" below the privacy floor)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.idp.conftest import enrol
from tests.idp.consent.conftest import csrf_from
from tests.idp.documents.conftest import agency_token, proof_in_person, register
from tests.idp.oidc.conftest import bearer, claims_of, tokens_for
from tests.signing import samples
from tests.signing.conftest import AGENCY, OTHER_AGENCY
from tests.support.clock import Span

N_A, N_B = 6, 2   # sign-ins to each agency
M_A, M_B = 5, 1   # documents each agency issues
K_B = 1           # consents withdrawn from agency B
SCOPE = "openid profile documents:issue indicators:read"


def _issue(web, token: str, subject: str) -> str:
    response = web.post("/api/documents", data=json.dumps(
        {"template": "residence", "subject": subject, "data": samples.RESIDENCE}),
        content_type="application/json", headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["csv"]


def _withdraw(web, client_id: str) -> None:
    page = web.get(f"/account/agencies/revoke?client_id={client_id}").get_data(as_text=True)  # the confirmation step
    response = web.post("/account/agencies/revoke", data={"csrf_token": csrf_from(page), "client_id": client_id})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


@pytest.fixture
def activity(began, web, docs_app):
    a = register(docs_app, client_id=AGENCY, scope=SCOPE)
    b = register(docs_app, client_id=OTHER_AGENCY, scope=SCOPE)
    citizen = enrol(web)
    proof_in_person(docs_app, citizen.citizen_id)
    subjects = {}
    for agency, times in ((a, N_A), (b, N_B)):
        for _ in range(times):
            tokens = tokens_for(web, agency, scope="openid profile")
        subjects[agency.client_id] = claims_of(tokens["id_token"])["sub"]
    for agency, documents in ((a, M_A), (b, M_B)):
        token = agency_token(web, agency, scope="documents:issue")
        codes = [_issue(web, token, subjects[agency.client_id]) for _ in range(documents)]
    verified = web.get(f"/api/verify/{codes[0]}")  # one of B's documents, verified by its code
    assert verified.status_code == 200, verified.get_json()
    for _ in range(K_B):
        _withdraw(web, b.client_id)
    return a, b


def activity_month_page(web, began: Span) -> str:
    """/transparency for the activity's month: the last month since it began whose page lists
    the agency (a month's first day, UTC, may have begun since)."""
    pages = [web.get(f"/transparency?month={month}").get_data(as_text=True) for month in began.months()]
    return [html for html in pages if f'<tr data-agency="{AGENCY}">' in html][-1]


def _report(app, began: Span, agency=None):
    """The day of the activity (or the days, if a midnight UTC passed since it began)."""
    from idp.indicators.report import Period
    from idp.indicators.services import report
    from infra.db import get_db

    days = began.days()
    with get_db(app).read() as session:
        return report(session, Period(start=days[0], end=days[-1]), agency=agency)


def test_the_operator_report_has_the_exact_numbers(began, activity, docs_app):
    a, b = activity
    for agency, signins, documents in ((a, N_A, M_A), (b, N_B, M_B)):
        found = _report(docs_app, began, agency.client_id)
        assert found.total("signin.level") == signins
        assert found.total("signin.authenticator") == signins
        assert found.total("token.issued", "authorization_code") == signins
        assert found.total("token.issued", "client_credentials") == 1
        assert found.total("document.issued", "residence") == documents
        assert found.total("consent.given") == 1
        assert found.total("funnel.authorization", "code") == signins
        assert found.total("funnel.authorization", "authorize") == signins
        assert found.total("funnel.authorization", "consent") == 1
    assert _report(docs_app, began, b.client_id).total("consent.withdrawn") == K_B
    assert [(s.dimension, s.total) for s in _report(docs_app, began, b.client_id).of("verification")] == [
        ("TOTAL-PASSED", 1)]
    assert _report(docs_app, began, a.client_id).total("verification") == 0
    assert _report(docs_app, began, a.client_id).total("consent.withdrawn") == 0
    overall = _report(docs_app, began)
    assert overall.total("signin.level") == N_A + N_B
    assert overall.total("document.issued") == M_A + M_B
    assert overall.total("enrolment") == 1
    assert overall.total("proofing.raised", "in_person") == 1
    # The enrolment funnel: one started, one passkey, one first agency sign-in (to A, the first).
    assert [(s.dimension, s.total) for s in overall.of("funnel.enrolment")] == [
        ("first_signin", 1), ("passkey", 1), ("started", 1)]
    assert _report(docs_app, began, a.client_id).total("funnel.enrolment", "first_signin") == 1
    # No per-citizen data: the dimensions are levels, kinds, results and steps only.
    levels = {s.dimension for s in overall.of("signin.level")}
    assert levels <= {"low", "substantial", "high"}
    assert {s.dimension for s in overall.of("signin.authenticator")} <= {"hwk", "swk", "otp", "other"}


def test_the_cli_export_gives_the_same_numbers_with_the_floor(began, activity, docs_app):
    from click.testing import CliRunner

    from idp.cli import Context, cli

    context = Context(app=docs_app)
    runner = CliRunner()
    result = runner.invoke(cli, ["indicators", "export", "--format", "csv"], obj=context)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    # The activity's day: the last of the days since it began with rows (a midnight UTC may have passed).
    day = [d.isoformat() for d in began.days() if any(r["period"] == d.isoformat() for r in rows)][-1]
    todays = {(r["kind"], r["dimension"]): r["count"] for r in rows if r["period"] == day}
    assert todays[("document.issued", "residence")] == str(M_A + M_B)
    assert todays[("consent.withdrawn", "")] == "< 5"
    assert todays[("enrolment", "")] == "< 5"
    result = runner.invoke(cli, ["indicators", "export", "--agency", AGENCY, "--format", "json",
                                 "--exact", "--step", "month"], obj=context)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["privacy_floor"] is None and body["agency"] == AGENCY
    totals = {(s["kind"], s["dimension"]): s["total"] for s in body["series"]}
    assert totals[("document.issued", "residence")] == M_A
    assert totals[("consent.given", "")] == 1
    result = runner.invoke(cli, ["indicators", "export", "--start", "yesterday"], obj=context)
    assert result.exit_code == 2 and "a date like 2026-12-01 is expected" in result.output


def test_an_agency_reads_its_own_indicators_only_with_the_floor(activity, web):
    a, _b = activity
    token = agency_token(web, a, scope="indicators:read")
    response = web.get("/api/indicators", headers=bearer(token))
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["agency"] == AGENCY and body["privacy_floor"] == 5
    totals = {(s["kind"], s["dimension"]): s["total"] for s in body["series"]}
    assert totals[("document.issued", "residence")] == M_A
    assert totals[("token.issued", "authorization_code")] == N_A
    assert totals[("consent.given", "")] == "< 5"
    assert ("consent.withdrawn", "") not in totals  # B's withdrawal is not A's
    assert all(s["kind"] != "enrolment" for s in body["series"])  # platform counts are not an agency's
    # Its CSV too, and no parameter names another agency (one that tries is refused, named).
    csv_answer = web.get("/api/indicators?format=csv", headers=bearer(token))
    assert csv_answer.status_code == 200 and csv_answer.mimetype == "text/csv"
    other = web.get(f"/api/indicators?format=csv&agency={OTHER_AGENCY}", headers=bearer(token))
    assert other.status_code == 400 and other.get_json()["error_description"].startswith("agency:")
    assert OTHER_AGENCY not in other.get_data(as_text=True)
    # A documents:issue token is not enough; neither is no token.
    issuing = agency_token(web, a, scope="documents:issue")
    refused = web.get("/api/indicators", headers=bearer(issuing))
    assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"
    missing = web.get("/api/indicators")
    assert missing.status_code == 401 and missing.get_json()["error"] == "invalid_token"
    bad = web.get("/api/indicators?start=2026-13-01", headers=bearer(token))
    assert bad.status_code == 400 and bad.get_json()["error_description"].startswith("start:")


def test_the_transparency_page_shows_the_month_with_the_floor(began, activity, web):
    import re

    html = activity_month_page(web, began)

    rows = dict(re.findall(r'<tr data-agency="([^"]+)">(.*?)</tr>', html, re.S))
    cells = {agency: re.findall(r'<td class="num">([^<]*)</td>', row) for agency, row in rows.items()}
    # consents given, documents issued, verifications
    assert cells[AGENCY] == ["&lt; 5", str(M_A), "&lt; 5"]
    assert cells[OTHER_AGENCY] == ["&lt; 5", "&lt; 5", "&lt; 5"]
    overall = re.search(r'<dl class="facts" id="overall">(.*?)</dl>', html, re.S).group(1)
    assert re.findall(r"<dd>([^<]*)</dd>", overall) == ["&lt; 5", f"≥ {M_A}", "&lt; 5"]  # not M_A + M_B: B hidden


def test_openapi_describes_the_indicators_api(web):
    document = web.get("/openapi.json").get_json()
    operation = document["paths"]["/api/indicators"]["get"]
    assert operation["security"] == [{"bearer": []}, {"dpop": []}]  # a DPoP-bound token too (RFC 9449)
    assert "Indicators" in document["components"]["schemas"]
