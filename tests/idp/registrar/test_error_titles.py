"""The registrar console's error pages are titled by the problem (WCAG 2.4.2: the title a screen
reader reads first says what went wrong), not by the console's name."""

from __future__ import annotations

import uuid

from tests.idp.conftest import csrf
from tests.idp.registrar.test_assisted_enrolment import _created


def _title(response) -> str:
    html = response.get_data(as_text=True)
    return html.split("<title>", 1)[1].split("</title>", 1)[0]


def test_no_such_identity_is_titled_by_the_problem(client, oidc_app, registrar):
    for path in (f"/registrar/enrolments/{uuid.uuid4()}", f"/registrar/citizens/{uuid.uuid4()}"):
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 404, path
        assert _title(response).startswith("Error: We could not find that identity ·"), path


def test_a_closed_enrolment_step_is_titled_by_the_problem(client, oidc_app, registrar):
    from idp.registrar import enrolment
    from infra.store import get_store

    citizen_id = _created(client)
    get_store(oidc_app).take(enrolment.PREFIX + citizen_id)  # what expiry does to the ticket
    token = csrf(client, "/registrar")
    response = client.post(f"/registrar/enrolments/{citizen_id}/phone", data={"csrf_token": token},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 410
    assert _title(response).startswith("Error: This step is no longer available ·")
