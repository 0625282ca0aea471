"""OCSP over HTTP GET answers with the caching headers RFC 5019, section 6.2 asks for, so
HTTP caches and CDNs in front of the responder keep a response exactly as long as it is fresh.

Before: a GET answer carried only `Cache-Control: public, max-age=N`: no Last-Modified
(producedAt), no Expires (the response's nextUpdate, a MUST of 6.2), no ETag, and neither
no-transform (a proxy may not recompress the signed DER) nor must-revalidate (a stale
response is never served once max-age has passed); a client's If-None-Match got the whole
response again instead of 304.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import timedelta

from asn1crypto import ocsp
from werkzeug.http import http_date

from tests.keys.test_services import _ocsp_request, seal  # noqa: F401 - the seal fixture


def _get(client, der, **headers):
    return client.get("/pki/ocsp/" + base64.b64encode(der).decode(), headers=headers)


def _single(response):
    data = ocsp.OCSPResponse.load(response.data).basic_ocsp_response["tbs_response_data"]
    return data["produced_at"].native, data["responses"][0]


def test_a_get_answer_carries_rfc5019_caching_headers(pki_client, service, seal):  # noqa: F811
    response = _get(pki_client, _ocsp_request(service, seal.certificate))
    assert response.status_code == 200
    produced, single = _single(response)
    assert response.headers["Cache-Control"] == "max-age=60, public, no-transform, must-revalidate"
    assert response.headers["Last-Modified"] == http_date(produced)
    assert response.headers["Last-Modified"] == http_date(single["this_update"].native)
    assert response.headers["Expires"] == http_date(single["next_update"].native)
    assert single["next_update"].native == produced + timedelta(seconds=3600)
    assert response.headers["ETag"] == '"' + hashlib.sha256(response.data).hexdigest() + '"'


def test_if_none_match_of_the_same_response_is_304(pki_client, service, seal):  # noqa: F811
    der = _ocsp_request(service, seal.certificate)
    first = _get(pki_client, der)
    again = _get(pki_client, der, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    service.pki.revoke(serial=seal.serial, reason="keyCompromise", now=service.now())
    revoked = _get(pki_client, der, **{"If-None-Match": first.headers["ETag"]})
    assert revoked.status_code == 200
    assert _single(revoked)[1]["cert_status"].name == "revoked"
    assert revoked.headers["ETag"] != first.headers["ETag"]


def test_a_get_with_a_nonce_and_a_post_are_not_cacheable(pki_client, service, seal):  # noqa: F811
    with_nonce = _get(pki_client, _ocsp_request(service, seal.certificate, nonce=os.urandom(16)))
    assert with_nonce.status_code == 200
    assert with_nonce.headers["Cache-Control"] == "no-store"
    assert "Expires" not in with_nonce.headers and "ETag" not in with_nonce.headers
    posted = pki_client.post("/pki/ocsp", data=_ocsp_request(service, seal.certificate),
                             headers={"Content-Type": "application/ocsp-request"})
    assert posted.headers["Cache-Control"] == "no-store"
    assert "Expires" not in posted.headers and "ETag" not in posted.headers


def test_a_malformed_get_is_malformed_request_and_not_cacheable(pki_client, service):
    response = pki_client.get("/pki/ocsp/AAAA")
    assert response.status_code == 200
    assert ocsp.OCSPResponse.load(response.data)["response_status"].native == "malformed_request"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Expires" not in response.headers and "Last-Modified" not in response.headers


def test_a_revocation_in_the_same_second_is_not_hidden_by_if_modified_since(pki_client, service,
                                                                            seal):  # noqa: F811
    """Last-Modified has one-second resolution (producedAt too): a cache revalidating with
    If-Modified-Since gets the new response, not 304, when the status changed that second."""
    moment = service.now().replace(microsecond=0)
    service.clock = lambda: moment
    der = _ocsp_request(service, seal.certificate)
    first = _get(pki_client, der)
    assert _single(first)[1]["cert_status"].name == "good"
    service.pki.revoke(serial=seal.serial, reason="keyCompromise", now=moment)
    again = _get(pki_client, der, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 200
    assert _single(again)[1]["cert_status"].name == "revoked"
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"]


def test_a_304_carries_the_cache_headers_and_no_content(pki_client, service, seal):  # noqa: F811
    moment = service.now()
    service.clock = lambda: moment  # the same max-age in both answers
    der = _ocsp_request(service, seal.certificate)
    first = _get(pki_client, der)
    again = _get(pki_client, der, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert "Content-Type" not in again.headers and "Content-Length" not in again.headers
    for name in ("Cache-Control", "Expires", "ETag"):
        assert again.headers[name] == first.headers[name], name
