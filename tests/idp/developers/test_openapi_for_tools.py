"""/openapi.json as an agency's tools read it: an API explorer or a client generator running in
a browser on another site (CORS), and a build that revalidates the copy it keeps (ETag, 304).
It carried neither: a browser refused it to any other site, and every check downloaded it all."""

from __future__ import annotations


def test_another_sites_page_may_read_the_openapi_document(client):
    response = client.get("/openapi.json", headers={"Origin": "https://tools.example.gob"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_an_unchanged_openapi_document_is_304_to_if_none_match(client):
    etag = client.get("/openapi.json").headers["ETag"]
    again = client.get("/openapi.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get("/openapi.json", headers={"If-None-Match": '"old"'}).status_code == 200
