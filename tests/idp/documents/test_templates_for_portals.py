"""The public templates list (`GET /api/documents/templates`, no token) as a portal reads it:
a page of the portal's own site may fetch it (CORS: public data, no credentials), and a
portal that keeps it asks again with `If-None-Match` and gets `304` while it is unchanged
(it is public, cacheable and counted against the address's limit, so a cheap revalidation
matters). It carried neither: a browser refused the answer to another site's page, and each
revalidation downloaded every schema again."""

from __future__ import annotations


def test_a_portals_page_may_read_the_templates(client):
    response = client.get("/api/documents/templates", headers={"Origin": "https://portal.example.gob"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_an_unchanged_templates_list_is_304_to_if_none_match(client):
    first = client.get("/api/documents/templates")
    etag = first.headers["ETag"]
    again = client.get("/api/documents/templates", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    other = client.get("/api/documents/templates", headers={"If-None-Match": '"another"'})
    assert other.status_code == 200 and other.get_json() == first.get_json()


def test_the_openapi_document_describes_the_revalidation(client):
    operation = client.get("/openapi.json").get_json()["paths"]["/api/documents/templates"]["get"]
    assert "If-None-Match" in {parameter["name"] for parameter in operation["parameters"]}
    assert "ETag" in operation["responses"]["200"]["headers"]
    assert "304" in operation["responses"]
