"""Issue 19: the /verify pages and the API say one verdict first, as the page's h1, with what it
means and what to do next; the details follow in a disclosure. One test per verdict, on
documents the service issued (valid, changed after signing, revoked, superseded), an unsigned
upload (cannot tell), and codes no document has (possible forgery) or mistyped."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from infra.db import get_db
from signing.verify import document_revocation
from tests.signing.verify import forgeries, samples
from tests.signing.verify.issued import issue_residence

EN = {"Accept-Language": "en"}


def _token(client) -> str:
    page = client.get("/verify").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _upload(client, data: bytes):
    return client.post("/verify?lang=en", data={"csrf_token": _token(client),
                                                "file": (io.BytesIO(data), "d.pdf")},
                       content_type="multipart/form-data", headers=EN)


def verdict_of(html: str) -> tuple[str, str, str]:
    """(data-verdict of the h1, the h1's words, the role of the box right under it)."""
    h1 = re.search(r'<h1 id="verdict-title" data-verdict="([a-z_]+)">(.*?)</h1>', html, re.S)
    assert h1, "the verdict is not the page's h1"
    assert html.index("<h1") == h1.start(), "something comes before the verdict"
    after = html[h1.end():]
    box = re.match(r'\s*<div class="notice[^"]*" id="verdict"\s+role="(alert|status)"', after)
    assert box, "the verdict's meaning is not right under the h1"
    words = re.sub(r"<[^>]+>", "", h1.group(2)).strip()
    return h1.group(1), words, box.group(1)


def _details_after_verdict(html: str) -> None:
    assert html.index('id="verdict"') < html.index("<details") < html.index("report-heading")


def test_valid_by_code_and_by_upload(pki_app, issued):
    document, pdf = issued
    client = pki_app.test_client()
    page = client.get(f"/verify/{document.csv}", headers=EN).get_data(as_text=True)
    assert verdict_of(page) == ("valid", "\u2713 Valid document", "status")
    assert "You can rely on it" in page and "notice-success" in page
    _details_after_verdict(page)
    uploaded = _upload(client, pdf)
    assert uploaded.status_code == 200
    assert verdict_of(uploaded.get_data(as_text=True))[0] == "valid"
    body = client.get(f"/api/verify/{document.csv}?lang=en").get_json()
    assert (body["verdict"], body["indication"]) == ("valid", "TOTAL-PASSED")
    assert body["advice"]["title"] == "Valid document"


def test_changed_after_signing_is_not_valid(pki_app, issued):
    _, pdf = issued
    client = pki_app.test_client()
    page = _upload(client, forgeries.incremental_saving(pdf)).get_data(as_text=True)
    kind, words, role = verdict_of(page)
    assert (kind, role) == ("not_valid", "alert") and "NOT valid" in words
    assert "changed after it was signed" in page and "Do not rely on this document" in page
    assert "notice-success" not in page
    api = client.post("/api/verify?lang=en", data=forgeries.incremental_saving(pdf),
                      headers={"Content-Type": "application/pdf"}).get_json()
    assert (api["verdict"], api["indication"]) == ("not_valid", "TOTAL-FAILED")


def test_revoked(pki_app, issued):
    document, pdf = issued
    document_revocation.revoke(get_db(pki_app), document_id=document.id, reason="Datos erróneos",
                               now=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
    client = pki_app.test_client()
    page = client.get(f"/verify/{document.csv}", headers=EN).get_data(as_text=True)
    assert verdict_of(page) == ("revoked", "\u2717 Document revoked", "alert")
    assert "Ask the person or the agency for a new, current copy" in page
    assert "Datos erróneos" in page[:page.index("<details")]
    assert "notice-success" not in page
    api = client.get(f"/api/verify/{document.csv}").get_json()
    assert (api["verdict"], api["indication"], api["document_status"]) == (
        "revoked", "TOTAL-PASSED", "revoked")
    assert verdict_of(_upload(client, pdf).get_data(as_text=True))[0] == "revoked"


def test_superseded_links_the_new_one(pki_app, documents, citizen):
    old, _ = issue_residence(documents, citizen)
    new, _ = issue_residence(documents, citizen)
    document_revocation.supersede(get_db(pki_app), document_id=old.id, replacement_id=new.id,
                                  now=datetime.now(UTC))
    page = pki_app.test_client().get(f"/verify/{old.csv}", headers=EN).get_data(as_text=True)
    assert verdict_of(page) == ("superseded", "\u2717 Document replaced", "alert")
    box = page[page.index('id="verdict"'):page.index("</div>", page.index('id="verdict"'))]
    assert f'href="/verify/{new.csv}"' in box


def test_unsigned_upload_cannot_tell(pki_app):
    client = pki_app.test_client()
    page = _upload(client, samples.blank_pdf()).get_data(as_text=True)
    kind, words, role = verdict_of(page)
    assert (kind, words, role) == ("indeterminate", "? Cannot tell", "status")
    assert "Do not accept it yet" in page
    spanish = client.post("/verify?lang=es", data={"csrf_token": _token(client),
                                                   "file": (io.BytesIO(samples.blank_pdf()), "d.pdf")},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert verdict_of(spanish)[1] == "? No se puede confirmar"


def test_well_formed_unknown_code_is_a_possible_forgery(client):
    page = client.get("/verify/7kq4 m2xh 9prt wc3n b8da", headers=EN)
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert verdict_of(html) == ("not_found", "\u2717 Possible forged document", "alert")
    assert 'action="/verify/report"' in html and 'name="code" value="7KQ4-M2XH-9PRT-WC3N-B8DA"' in html
    assert "ayuda@cedula.example" in html  # where to report it: [organisation]


def test_mistyped_code_is_not_called_a_forgery(client):
    page = client.get("/verify/7KQ4-M2XH-9PRT-WC3N-B8DZ", headers=EN)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert verdict_of(html) == ("malformed_code", "? The code has a mistake", "status")
    assert "forged" not in html.lower() and 'action="/verify/report"' not in html
    spanish = client.get("/verify/7KQ4-M2XH-9PRT-WC3N-B8DA").get_data(as_text=True)
    assert verdict_of(spanish)[1] == "\u2717 Posible documento falso"


def test_openapi_describes_every_field_of_the_report(pki_app, issued):
    document, _ = issued
    client = pki_app.test_client()
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    body = client.get(f"/api/verify/{document.csv}").get_json()
    described = schemas["VerificationReport"]["properties"]
    assert set(body) - {"other_forms"} <= set(described)
    assert body["verdict"] in described["verdict"]["enum"]
    unknown = client.get("/api/verify/7KQ4-M2XH-9PRT-WC3N-B8DA").get_json()
    assert set(unknown) <= set(schemas["CodeVerdict"]["properties"])
