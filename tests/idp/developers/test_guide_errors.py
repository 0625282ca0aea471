"""Every refusal an agency's code can meet is in the guide's table of errors (section 8), under
the endpoint that answers it: an integrator switches on `error`, so a code the guide never
names is a case their portal does not handle."""

from __future__ import annotations

import re

import pytest

from idp.developers.views import SOURCE
from signing.verify.errors import VerifierBusy
from tests.signing.conftest import pki_app, pki_rows  # noqa: F401 - fixtures
from tests.signing.verify import samples


def _errors_table() -> dict[str, str]:
    """`error` code -> its "Where" cell, from the guide's section 8."""
    text = SOURCE.read_text(encoding="utf-8")
    section = text[text.index("## 8. Errors"):text.index("## 9.")]
    table: dict[str, str] = {}
    for line in section.splitlines():
        cells = line.split("|")
        if line.startswith("| `") and len(cells) > 3:
            for code in re.findall(r"`([a-z_]+)`", cells[1]):
                table[code] = table.get(code, "") + cells[2]
    return table


def _documented_at(error: str, endpoint: str) -> bool:
    where = _errors_table().get(error)
    if where is None:
        return False
    return endpoint in where or where.strip() == "any" or (endpoint.startswith("/api/") and "`/api/*`" in where)


def _pdf(client, data: bytes, content_type: str = "application/pdf"):
    return client.post("/api/verify?lang=en", data=data, headers={"Content-Type": content_type})


@pytest.mark.parametrize(("send", "status"), [
    (lambda client: _pdf(client, b""), 400),
    (lambda client: _pdf(client, b"not a pdf"), 415),
    (lambda client: _pdf(client, b"%PDF-1.7\n1 0 obj"), 422),
    (lambda client: _pdf(client, samples.blank_pdf(encrypt=True)), 422),
    (lambda client: _pdf(client, b"{}", "application/json"), 415),
    (lambda client: client.get("/api/verify/7KQ4-M2XH-9PRT-WC3N-B8DZ?lang=en"), 400),
    (lambda client: client.get("/api/verify/7KQ4-M2XH-9PRT-WC3N-B8DA?lang=en"), 404),
], ids=["empty", "not a PDF", "damaged", "encrypted", "JSON", "mistyped code", "unknown code"])
def test_every_refusal_of_the_verification_api_is_in_the_guide(client, send, status):
    """The guide's table named none of the verification API's own codes (`invalid_code`,
    `empty_file`, `not_pdf`, `damaged_pdf`, `encrypted_pdf`), and `not_found` only for
    `/api/documents/{id}`."""
    response = send(client)
    assert response.status_code == status
    assert _documented_at(response.get_json()["error"], "/api/verify"), response.get_json()


def test_a_busy_verifier_is_in_the_guide():
    """`[verify] max_concurrent` verifications at once: the next is 503 `temporarily_unavailable`
    (it was `busy`, a code no other API answers), and the guide names `busy` nowhere."""
    assert VerifierBusy.error == "temporarily_unavailable"
    assert _documented_at(VerifierBusy.error, "/api/verify")
    assert "`busy`" not in SOURCE.read_text(encoding="utf-8")


def test_a_method_an_endpoint_does_not_take_is_in_the_guide(client):
    """`GET /api/documents` (there is no list) is 405 `method_not_allowed` with `Allow`."""
    response = client.get("/api/documents")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    assert _documented_at(response.get_json()["error"], "/api/*")


def test_a_token_without_indicators_read_is_in_the_guide(pki_app):  # noqa: F811
    """`GET /api/indicators` with a documents:issue token is 403 insufficient_scope; the guide's
    row named only `openid` (UserInfo) and `documents:issue` as the scope to ask for."""
    from tests.idp.documents.conftest import agency_token, register
    from tests.idp.oidc.conftest import bearer

    web = pki_app.test_client()
    agency = register(pki_app, client_id="solo-documentos", scope="openid documents:issue")
    answer = web.get("/api/indicators", headers=bearer(agency_token(web, agency)))
    assert answer.status_code == 403 and answer.get_json()["error"] == "insufficient_scope"
    row = next(line for line in SOURCE.read_text(encoding="utf-8").splitlines()
               if line.startswith("| `insufficient_scope`"))
    assert "`indicators:read` at `/api/indicators`" in row
