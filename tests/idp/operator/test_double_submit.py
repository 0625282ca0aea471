"""A console form sent twice (a double click, a browser resending after a slow answer) does
what it says once."""

from __future__ import annotations

import re

from tests.idp.conftest import csrf


def _agencies(app) -> list[str]:
    from clients.registry.services import list_clients
    from infra.db import get_db

    with get_db(app).read() as session:
        return [c.client_id for c in list_clients(session)
                if c.client_metadata.get("client_name") == "Ministerio de Trabajo"]


def _form(client) -> dict[str, object]:
    """The new-agency form as the page gives it (its hidden fields), filled in."""
    html = client.get("/operator/agencies/new").get_data(as_text=True)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return {**hidden, "name": "Ministerio de Trabajo", "redirect_uris": "https://trabajo.example/cb",
            "auth_method": "client_secret_basic", "scope": ["openid", "profile"], "subject_type": "pairwise",
            "purpose": "Trámites laborales", "security_profile": "oidc"}


def test_an_agency_form_sent_twice_registers_one_agency(client, oidc_app, operator):
    """The second post of the same form registered a second agency (another client_id and
    secret, the first one's secret never seen again)."""
    form = _form(client)
    first = client.post("/operator/agencies/new", data=form)
    assert first.status_code == 200 and 'id="client-secret"' in first.get_data(as_text=True)
    again = client.post("/operator/agencies/new", data=form)
    registered = _agencies(oidc_app)
    assert len(registered) == 1
    assert again.status_code == 303
    assert again.headers["Location"] == f"/operator/agencies/{registered[0]}?done=registered"
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert 'id="done"' in page and 'id="client-secret"' not in page


def test_a_new_form_registers_another_agency(client, oidc_app, operator):
    """The guard is the form, not its content: opening the form again registers again."""
    assert client.post("/operator/agencies/new", data=_form(client)).status_code == 200
    assert client.post("/operator/agencies/new", data=_form(client)).status_code == 200
    assert len(_agencies(oidc_app)) == 2


def test_a_refused_form_can_be_corrected_and_sent_again(client, oidc_app, operator):
    form = _form(client)
    refused = client.post("/operator/agencies/new", data={**form, "redirect_uris": "http://trabajo.example/cb"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert client.post("/operator/agencies/new", data={**form, **hidden}).status_code == 200
    assert len(_agencies(oidc_app)) == 1


def test_a_form_without_its_mark_still_registers(client, oidc_app, operator):
    """A form opened before the upgrade (no mark) is registered as before."""
    form = {**_form(client), "csrf_token": csrf(client, "/operator/agencies/new")}
    form.pop("form_id", None)
    assert client.post("/operator/agencies/new", data=form).status_code == 200
    assert len(_agencies(oidc_app)) == 1
