"""The signed-out page's first sentence (its status message, read out first) said «Ha cerrado su
sesión de Cédula y de las instituciones a las que entró con ella.» also when the next one says
«No había entrado en ninguna institución con esta sesión.»: it names the agencies only when
some were signed out."""

from __future__ import annotations

import re

import pytest

from tests.idp.oidc.conftest import tokens_for

LEAD = re.compile(r'<p class="lead" id="logout-done" role="status">([^<]*)</p>')
AGENCIES = {"es": "instituciones", "en": "agencies"}


def _sign_out(client, lang):
    page = client.get("/end-session").get_data(as_text=True)
    request_id = re.search(r'name="request" value="([^"]+)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.set_cookie("lang", lang)
    response = client.post("/end-session/confirm", data={"csrf_token": token, "request": request_id,
                                                         "decision": "logout"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_lead_names_agencies_only_when_there_were_some(client, register, citizen, lang):
    html = _sign_out(client, lang)
    assert 'id="signed-out-no-agencies"' in html
    assert AGENCIES[lang] not in LEAD.search(html).group(1)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_lead_names_the_agencies_signed_out_of(client, register, citizen, lang):
    tokens_for(client, register(client_name="Hacienda"))
    html = _sign_out(client, lang)
    assert 'id="signed-out-agencies"' in html
    assert AGENCIES[lang] in LEAD.search(html).group(1)
