"""While the database is away, a genuine document is never called "not found" (which the
verify page reads as a possible forgery): `/verify/<code>`, `/api/verify/<code>`, the page's
upload and the original's download answer 503 with Retry-After and a sentence saying to try
again later; when the database is back, the same requests answer 200, without a restart.

A real outage, not a swapped component: the app (and the signing service's own reference to
the database) reaches PostgreSQL through a loopback proxy the test cuts and restores. (A test
that swaps only the app's DATABASE component does not reach the services, which keep the
`Database` they were built with: that is how a 404 was once seen, not in the service.)

Not done on SQLite: the tests run as root, whom file permissions do not stop, and the pool's
open connections keep reading a file that was moved or removed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from infra.db import get_db
from tests.conftest import TEST_MASTER_KEY, _postgres_database
from tests.signing.conftest import AGENCY, AGENCY_NAME, bootstrap_pki
from tests.support.tcp_proxy import tcp_proxy

LATER = {"es": "inténtelo de nuevo", "en": "try again"}  # the sentence says to try again later
FORGERY = {"es": "falsific", "en": "forg"}


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    generator = _postgres_database()
    url = next(generator)
    try:
        yield url
    finally:
        generator.close()


@pytest.fixture(scope="module")
def outage(database, tmp_path_factory) -> Iterator[tuple]:
    """(the app on PostgreSQL through the proxy, the proxy, a sealed document and its PDF)."""
    from idp import create_app
    from idp.schema import SCHEMA
    from signing.issuance import issue
    from signing.service import CitizenRef, get_documents
    from tests.signing import samples as document_samples

    SCHEMA.upgrade(database)
    address = make_url(database)
    with tcp_proxy(address.host or "127.0.0.1", address.port or 5432) as proxy:
        url = address.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        app = create_app({
            "server": {"issuer": "http://localhost", "readiness_check_seconds": 0,
                       "data_dir": str(tmp_path_factory.mktemp("outage-data"))},
            "database": {"url": url}, "store": {"redis_url": ""},
            "logging": {"level": "WARNING"}, "keys": {"master_key": TEST_MASTER_KEY},
            "audit": {"seal_seconds": 0}, "logout": {"background": False},
            "notify": {"background": False}, "documents": {"archive_renew_hours": 0}})
        app.testing = True
        bootstrap_pki(app)
        citizen = CitizenRef(id="5b0c1b9e-2f43-4a8e-9d0c-6f1f3e3b8a11", given_name="María José",
                             family_name="Núñez Peña", national_id="04892613-3")
        documents = get_documents(app)
        result = issue(documents, client_id=AGENCY, agency_name=AGENCY_NAME, template="residence",
                       citizen=citizen, data=document_samples.sample("residence"))
        pdf = documents.store.read(result.sha256)
        try:
            yield app, proxy, result, pdf
        finally:
            get_db(app).dispose()
            documents.database.dispose()


def _token(client) -> str:
    page = client.get("/verify").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _requests(client, code: str, pdf: bytes, token: str, lang: str) -> dict:
    headers = {"Accept-Language": lang}
    return {
        "page": client.get(f"/verify/{code}?lang={lang}", headers=headers),
        "api": client.get(f"/api/verify/{code}?lang={lang}", headers=headers),
        "upload": client.post(f"/verify?lang={lang}", data={"csrf_token": token,
                                                             "file": (io.BytesIO(pdf), "d.pdf")},
                              content_type="multipart/form-data", headers=headers),
        "download": client.get(f"/verify/{code}/pdf?lang={lang}", headers=headers),
    }


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_genuine_document_is_unavailable_not_missing_while_the_database_is_away(outage, lang):
    app, proxy, document, pdf = outage
    client = app.test_client()
    token = _token(client)
    assert {name: r.status_code for name, r in _requests(client, document.csv, pdf, token, lang).items()} \
        == dict.fromkeys(("page", "api", "upload", "download"), 200)

    proxy.cut()
    try:
        answers = _requests(client, document.csv, pdf, token, lang)
    finally:
        proxy.restore()
    for name, response in answers.items():
        text = (response.get_json()["error_description"] if response.is_json
                else response.get_data(as_text=True))
        assert response.status_code == 503, (name, response.status_code, text[:400])
        assert response.headers.get("Retry-After"), name
        assert LATER[lang] in text.lower(), (name, text[:400])
        assert "Traceback" not in text and FORGERY[lang] not in text.lower(), (name, text[:400])
    body = answers["api"].get_json()
    assert body["error"] and LATER[lang] in body["error_description"].lower()

    back = _requests(client, document.csv, pdf, token, lang)  # no restart
    assert {name: r.status_code for name, r in back.items()} \
        == dict.fromkeys(("page", "api", "upload", "download"), 200)
