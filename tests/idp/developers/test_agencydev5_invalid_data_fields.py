"""`422 invalid_data` at `POST /api/documents` as the guide describes it. The guide said "every
bad field is named" and never named `fields`: a developer looked for the list in
`error_description`, and, sending `{}`, found only `template` named. What the API does: the
members of the request are checked one by one (the description names the first wrong one),
and when the document's `data` does not match the template, every bad field is listed in
`fields`, each with `path`, `pointer` (RFC 6901) and `message`. The guide now says exactly
that."""

from __future__ import annotations

import json

from idp.developers.views import SOURCE
from tests.idp.documents.conftest import agency, agency_token, docs_app, signed_in, web  # noqa: F401
from tests.idp.oidc.conftest import bearer
from tests.signing import samples
from tests.signing.conftest import pki_app, pki_rows  # noqa: F401 - fixtures


def _row() -> str:
    return next(line for line in SOURCE.read_text(encoding="utf-8").splitlines()
                if line.startswith("| `invalid_data`"))


def _issue(web, token, **body):  # noqa: F811
    return web.post("/api/documents", data=json.dumps(body), content_type="application/json",
                    headers=bearer(token))


def test_the_members_are_named_one_at_a_time(web, agency):  # noqa: F811
    answer = _issue(web, agency_token(web, agency))
    assert answer.status_code == 422 and answer.get_json()["error_description"].startswith("template:")
    assert "the first member that is missing or not valid" in _row()


def test_every_bad_field_of_the_data_is_in_fields(web, agency, signed_in):  # noqa: F811
    _, sub = signed_in
    data = {k: v for k, v in samples.RESIDENCE.items() if k != "municipality"}
    data["resident_since"] = "yesterday"
    answer = _issue(web, agency_token(web, agency), template="residence", subject=sub, data=data)
    body = answer.get_json()
    assert answer.status_code == 422 and body["error"] == "invalid_data"
    assert {f["path"] for f in body["fields"]} == {"$.municipality", "$.resident_since"}
    assert all(set(f) == {"path", "pointer", "message"} for f in body["fields"])
    pointers = {f["path"]: f["pointer"] for f in body["fields"]}
    assert pointers["$.municipality"] == "/municipality"  # the guide's example
    row = _row()
    assert "listed in `fields`, each with its `path` (`$.municipality`), `pointer` (RFC 6901, " \
           "`/municipality`) and `message`" in row
