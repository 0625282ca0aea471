"""The consent page after an agency declared another purpose (RFC 7592 lets it replace its
metadata): the citizen's answer is recorded as a decision for the new purpose, with exactly
what they ticked (OIDC Core 1.0 section 3.1.2.4). The decision given for the old purpose
answers nothing any more: it neither hides the citizen's unticked boxes nor leaves the agency
with a code that cannot be redeemed (issue 14: a consent is for an agency and a purpose)."""

from __future__ import annotations

from tests.idp.oidc.conftest import (
    Flow,
    authorize_url,
    bearer,
    decide,
    declare_purpose,
    exchange,
    redirect_params,
    tokens_for,
)


def test_the_answer_for_a_new_purpose_is_recorded_with_what_the_citizen_ticked(client, register, citizen):
    agency = register(scope="openid profile email", purpose="Trámites de residencia")
    tokens_for(client, agency, scope="openid profile email")  # everything allowed, for the old purpose
    declare_purpose(client.application, agency, "Publicidad dirigida")

    flow = Flow()
    page = client.get(authorize_url(agency, flow, scope="openid profile email"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Publicidad dirigida" in html
    assert 'name="claim" value="email"' in html  # asked again, as an optional box
    answer = decide(client, page, ticked=["given_name", "family_name", "birthdate"])  # email unticked
    code = redirect_params(answer, agency)["code"]
    redeemed = exchange(client, agency, code, flow)
    assert redeemed.status_code == 200, redeemed.get_json()
    info = client.get("/userinfo", headers=bearer(redeemed.get_json()["access_token"])).get_json()
    assert "email" not in info and info["given_name"]
    # Answered: the next request for the same is answered at once, without email.
    again = Flow()
    at_once = client.get(authorize_url(agency, again, scope="openid profile email"))
    assert "code" in redirect_params(at_once, agency)
