"""An API caller that sends `Accept-Language: *` asks for no language, and gets the API's own,
English (review, agencydev14).

Node's fetch (undici, under openid-client and most Node servers of the agencies) sends
`Accept-Language: *` on every request; Werkzeug's best match of `*` is the first language of
the catalogue, Spanish, so such a portal read the generic refusals (an unknown path, a wrong
method, a body too large) in Spanish, while the same call from curl or Python (no header) read
them in English, as `infra.web.errors.api_language` intends for developers."""

from __future__ import annotations

import pytest

NOT_FOUND = ("This endpoint does not exist. Check the path and its spelling against the developers' guide "
             "at /developers.")
WRONG_METHOD = ("This endpoint accepts only: POST. Send the request with one of those methods (the developers' "
                "guide is at /developers).")


@pytest.mark.parametrize("header", ["*", "fr, *;q=0.5", None])
def test_a_caller_that_names_no_language_of_cedulas_gets_english(client, header):
    headers = {} if header is None else {"Accept-Language": header}
    unknown = client.get("/api/nonexistent", headers=headers)
    assert unknown.status_code == 404
    assert unknown.get_json() == {"error": "not_found", "error_description": NOT_FOUND}
    wrong = client.get("/token", headers=headers)
    assert wrong.status_code == 405
    assert wrong.get_json() == {"error": "method_not_allowed", "error_description": WRONG_METHOD}


def test_a_caller_that_asks_for_spanish_still_gets_it(client):
    wrong = client.get("/token", headers={"Accept-Language": "es, *;q=0.1"})
    assert wrong.status_code == 405
    assert wrong.get_json()["error_description"].startswith("Este punto de acceso solo acepta: POST.")
