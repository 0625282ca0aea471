"""Operators upload an agency's logo in the console (CSRF, the same checks as a fetched one),
fetch logo_uri again, and see why a logo could not be used; the name in English is accepted."""

from __future__ import annotations

import hashlib
import io
import re

from tests.idp.conftest import csrf
from tests.idp.operator.test_console import _register, _trail
from tests.support.images import SVG, png


def _upload(client, client_id, data, *, token=None, name="logo.png"):
    form = {"logo": (io.BytesIO(data), name)}
    if token is not False:
        form["csrf_token"] = token or csrf(client, f"/operator/agencies/{client_id}")
    return client.post(f"/operator/agencies/{client_id}/logo", data=form, content_type="multipart/form-data")


def test_upload_a_logo_with_csrf_and_see_it(client, oidc_app, operator):
    done = _register(client, name_en="Ministry of Labour")
    client_id = re.search(r'id="client-id">([^<]+)<', done.get_data(as_text=True)).group(1)
    from tests.idp.operator.test_console import _client_row

    assert _client_row(oidc_app, client_id).client_metadata["client_name#en"] == "Ministry of Labour"
    assert _upload(client, client_id, png(64, 64), token=False).status_code == 400  # no CSRF token
    refused = _upload(client, client_id, SVG, name="logo.svg")
    assert refused.status_code == 400 and "SVG" in refused.get_data(as_text=True)
    image = png(64, 64)
    ok = _upload(client, client_id, image)
    assert ok.status_code == 303 and ok.headers["Location"].endswith("?done=logo")
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    url = f"/agency-logos/{hashlib.sha256(image).hexdigest()}.png"
    assert f'src="{url}"' in page and client.get(url).data == image
    assert [(a, d["client_id"]) for _, a, d in _trail(oidc_app) if a.startswith("agency.logo")] == [
        ("agency.logo_uploaded", client_id)]


def test_a_logo_that_cannot_be_fetched_is_shown_to_the_operator(client, oidc_app, operator):
    done = _register(client, logo_uri="https://10.0.0.1/logo.png")
    assert done.status_code == 200, done.get_data(as_text=True)[:300]
    client_id = re.search(r'id="client-id">([^<]+)<', done.get_data(as_text=True)).group(1)
    page = client.get(f"/operator/agencies/{client_id}").get_data(as_text=True)
    assert 'class="status-disabled logo-error"' in page and "could not be fetched (address)" in page
    again = client.post(f"/operator/agencies/{client_id}/logo/fetch",
                        data={"csrf_token": csrf(client, f"/operator/agencies/{client_id}")})
    assert again.status_code == 303
    assert ("agency.logo_fetched", client_id) in [(a, d.get("client_id")) for _, a, d in _trail(oidc_app)]
