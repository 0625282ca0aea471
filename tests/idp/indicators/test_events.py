"""Each event counted where it happens: a consent narrowed, a back-channel delivery, an error
answered (not a scanner's 404), the funnel's steps."""

from __future__ import annotations

from tests.idp.consent.conftest import csrf_from, delivery, listener  # noqa: F401 - fixtures
from tests.idp.oidc.conftest import Flow, authorize_url, citizen, decide, oidc_app, register, tokens_for  # noqa: F401
from tests.support.clock import Span


def _totals(app, began: Span, agency=None) -> dict[tuple[str, str], int]:
    """The totals of the days since the test began (one, unless a midnight UTC passed)."""
    from idp.indicators.report import Period
    from idp.indicators.services import report
    from infra.db import get_db

    days = began.days()
    with get_db(app).read() as session:
        found = report(session, Period(start=days[0], end=days[-1]), agency=agency)
    return {(s.kind, s.dimension): s.total for s in found.series}


def test_a_narrower_decision_is_counted_as_narrowed(began, client, register, citizen):  # noqa: F811
    agency = register()
    tokens_for(client, agency, scope="openid profile email")
    page = client.get(authorize_url(agency, Flow(), scope="openid profile email", prompt="consent"))
    assert page.status_code == 200
    assert decide(client, page, ticked=[]).status_code in (302, 303)
    totals = _totals(client.application, began, agency.client_id)
    assert totals[("consent.given", "")] == 1 and totals[("consent.narrowed", "")] == 1
    assert totals[("consent.data", "email")] == 1  # in the first decision, not in the second
    assert totals[("funnel.authorization", "consent")] == 2


def test_back_channel_deliveries_are_counted_by_agency(began, client, register, citizen, listener, delivery):  # noqa: F811
    agency = register(scope="openid profile", backchannel_logout_uri=listener.uri,
                      backchannel_logout_session_required=True)
    tokens_for(client, agency, scope="openid profile")
    page = client.get(f"/account/agencies/revoke?client_id={agency.client_id}").get_data(as_text=True)
    client.post("/account/agencies/revoke", data={"csrf_token": csrf_from(page), "client_id": agency.client_id})
    delivery.run_once()
    assert listener.arrived.wait(60)  # a cap: it has arrived when run_once() returns, or soon after
    totals = _totals(client.application, began, agency.client_id)
    assert totals[("backchannel", "delivered")] == 1
    assert totals[("consent.withdrawn", "")] == 1


def test_errors_are_counted_by_status_and_endpoint_but_not_unknown_paths(began, client, oidc_app):  # noqa: F811
    assert client.get("/userinfo").status_code == 401
    assert client.get("/userinfo").status_code == 401
    assert client.get("/wp-login.php").status_code == 404
    assert client.get("/static/js/no-such.js").status_code == 404  # a static file: not an error either
    assert client.get("/static/shared/no-such.js").status_code == 404  # the shared ones (infra.web.assets)
    totals = _totals(oidc_app, began)
    assert totals[("error", "401:oidc_api.userinfo_endpoint")] == 2
    assert not [key for key in totals if key[0] == "error" and "404" in key[1]]
