"""/bind and /bind/confirm share one rate limit ("bind"): looking at a code and confirming it
is one attempt, counted once; a confirmation sent without the look (a guess) still counts."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.idp.conftest import csrf, dui, enrol
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.civil_register import in_register

FUTURE = (date.today() + timedelta(days=365)).isoformat()


def _binding_code(client, app) -> str:
    other = app.test_client()
    found = enrol(other, SoftwareAuthenticator(), national_id=dui(22222222), email="eva@example.sv")
    in_register(app, found.citizen_id)
    page = client.post(f"/registrar/citizens/{found.citizen_id}/recovery", data={
        "csrf_token": csrf(client, "/registrar"), "document_type": "passport",
        "document_number": "A1234567", "document_expiry": FUTURE}).get_data(as_text=True)
    return re.search(r'id="binding-code">([A-Z0-9-]+)<', page).group(1)


def test_looking_at_a_code_and_confirming_it_counts_one_attempt(client, oidc_app, registrar):
    from infra.config import get_settings

    code = _binding_code(client, oidc_app)
    limit = int(get_settings(oidc_app)["rate_limit"]["attempts"])
    device = oidc_app.test_client()
    token = csrf(device, "/bind")
    for _ in range(limit - 1):  # typing mistakes, each one attempt
        wrong = device.post("/bind", data={"csrf_token": token, "code": "AAAA-BBBB-CCCC"})
        assert wrong.status_code == 400
    shown = device.post("/bind", data={"csrf_token": token, "code": code})
    assert shown.status_code == 200  # the last attempt the limit allows
    done = device.post("/bind/confirm", data={"csrf_token": token, "code": code})
    assert done.status_code == 303 and done.headers["Location"] == "/account"


def test_a_confirmation_without_the_look_still_counts(client, oidc_app, registrar):
    from infra.config import get_settings

    code = _binding_code(client, oidc_app)
    limit = int(get_settings(oidc_app)["rate_limit"]["attempts"])
    guesser = oidc_app.test_client()
    token = csrf(guesser, "/bind")
    for _ in range(limit):
        assert guesser.post("/bind/confirm", data={"csrf_token": token,
                                                   "code": "AAAA-BBBB-CCCC"}).status_code == 400
    # Over the limit, even the right code is not tried (nor spent).
    assert guesser.post("/bind/confirm", data={"csrf_token": token, "code": code}).status_code == 429
