"""OCSP (RFC 6960), TSA (RFC 3161), CRL and CA endpoints through the Flask test client."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest
from asn1crypto import algos, crl, ocsp, tsp

from keys import issue_seal_certificate


def _ocsp_request(service, cert, *, nonce=None, issuer="issuing", serial=None):
    ca = service.pki.material().ca(issuer)
    tbs = {"request_list": [{"req_cert": {
        "hash_algorithm": {"algorithm": "sha1"},
        "issuer_name_hash": ca.name_hashes["sha1"],
        "issuer_key_hash": ca.key_hashes["sha1"],
        "serial_number": serial if serial is not None else cert.serial_number,
    }}]}
    if nonce is not None:
        tbs["request_extensions"] = [{"extn_id": "nonce", "extn_value": nonce}]
    return ocsp.OCSPRequest({"tbs_request": tbs}).dump()


def _post_ocsp(client, der):
    response = client.post("/pki/ocsp", data=der,
                           headers={"Content-Type": "application/ocsp-request"})
    assert response.status_code == 200
    assert response.mimetype == "application/ocsp-response"
    return ocsp.OCSPResponse.load(response.data)


@pytest.fixture
def seal(service):
    return issue_seal_certificate(service, client_id="c", organization_name="C",
                                  organization_identifier="VATSV-C")


def test_ocsp_good_then_revoked_with_nonce(pki_client, service, seal):
    nonce = os.urandom(16)
    reply = _post_ocsp(pki_client, _ocsp_request(service, seal.certificate, nonce=nonce))
    assert reply["response_status"].native == "successful"
    data = reply.basic_ocsp_response["tbs_response_data"]
    assert data["responses"][0]["cert_status"].name == "good"
    assert reply.nonce_value.native == nonce
    responder = reply.basic_ocsp_response["certs"][0]
    assert responder.dump() == service.pki.material().ocsp.certificate.dump()
    service.pki.revoke(serial=seal.serial, reason="keyCompromise", now=service.now())
    reply = _post_ocsp(pki_client, _ocsp_request(service, seal.certificate))
    status = reply.basic_ocsp_response["tbs_response_data"]["responses"][0]["cert_status"]
    assert status.name == "revoked"
    assert status.chosen["revocation_reason"].native == "key_compromise"


def test_ocsp_response_signature_verifies(pki_client, service, seal):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    reply = _post_ocsp(pki_client, _ocsp_request(service, seal.certificate))
    basic = reply.basic_ocsp_response
    key = x509.load_der_x509_certificate(basic["certs"][0].dump()).public_key()
    key.verify(basic["signature"].native, basic["tbs_response_data"].dump(),
               ec.ECDSA(hashes.SHA256()))


def test_ocsp_unknown_serial_and_root_issued(pki_client, service, seal):
    reply = _post_ocsp(pki_client, _ocsp_request(service, seal.certificate, serial=12345))
    status = reply.basic_ocsp_response["tbs_response_data"]["responses"][0]["cert_status"]
    assert status.name == "unknown"
    issuing = service.pki.material().issuing.certificate
    reply = _post_ocsp(pki_client, _ocsp_request(service, issuing, issuer="root"))
    # the root key stays offline (issue 13): its CRL answers for the issuing CA
    assert reply["response_status"].native == "unauthorized"


def test_ocsp_get_form_and_cache_headers(pki_client, service, seal):
    der = _ocsp_request(service, seal.certificate)
    response = pki_client.get("/pki/ocsp/" + base64.b64encode(der).decode())
    assert response.status_code == 200
    assert "max-age=" in response.headers["Cache-Control"]
    assert ocsp.OCSPResponse.load(response.data)["response_status"].native == "successful"


def test_ocsp_get_reads_url_encoded_base64_and_base64url(pki_client, service, seal):
    from urllib.parse import quote

    der = _ocsp_request(service, seal.certificate)
    standard = base64.b64encode(der).decode()
    for path in (quote(standard, safe=""), base64.urlsafe_b64encode(der).decode().rstrip("=")):
        response = pki_client.get("/pki/ocsp/" + path)
        assert response.status_code == 200
        assert ocsp.OCSPResponse.load(response.data)["response_status"].native == "successful"


def test_ocsp_malformed_and_foreign(pki_client, service, seal):
    assert _post_ocsp(pki_client, b"\x30\x03\x02\x01\x01")["response_status"].native == \
        "malformed_request"
    assert _post_ocsp(pki_client, b"")["response_status"].native == "malformed_request"
    long_nonce = _ocsp_request(service, seal.certificate, nonce=b"n" * 64)
    assert _post_ocsp(pki_client, long_nonce)["response_status"].native == "malformed_request"
    foreign = ocsp.OCSPRequest({"tbs_request": {"request_list": [{"req_cert": {
        "hash_algorithm": {"algorithm": "sha1"}, "issuer_name_hash": b"\0" * 20,
        "issuer_key_hash": b"\0" * 20, "serial_number": 1}}]}}).dump()
    assert _post_ocsp(pki_client, foreign)["response_status"].native == "unauthorized"
    response = pki_client.get("/pki/ocsp/%%%not-base64")
    assert ocsp.OCSPResponse.load(response.data)["response_status"].native == \
        "malformed_request"
    response = pki_client.post("/pki/ocsp", data=b"x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.get_json()["error"] == "unsupported_media_type"


def _ts_query(digest=b"\x11" * 32, algorithm="sha256", **extra):
    return tsp.TimeStampReq({"version": "v1", "message_imprint": {
        "hash_algorithm": algos.DigestAlgorithm({"algorithm": algorithm}),
        "hashed_message": digest}, **extra}).dump()


def _post_ts(client, der):
    response = client.post("/pki/tsa", data=der,
                           headers={"Content-Type": "application/timestamp-query"})
    assert response.status_code == 200
    assert response.mimetype == "application/timestamp-reply"
    from keys.tsa import TimeStampResp

    return TimeStampResp.load(response.data)


def test_tsa_grants_with_nonce_policy_and_accuracy(pki_client, service):
    digest = hashlib.sha256(b"doc").digest()
    reply = _post_ts(pki_client, _ts_query(digest, nonce=42, cert_req=True))
    assert reply["status"]["status"].native == "granted"
    signed = reply["time_stamp_token"]["content"]
    info = signed["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 42
    assert info["policy"].dotted == "0.4.0.2023.1.1"
    assert info["accuracy"]["seconds"].native == 1
    assert info["message_imprint"]["hashed_message"].native == digest
    assert len(signed["certificates"]) == 2
    second = _post_ts(pki_client, _ts_query(digest))
    other = second["time_stamp_token"]["content"]
    assert not other["certificates"]  # certReq absent: no certificates
    assert other["encap_content_info"]["content"].parsed["serial_number"].native != \
        info["serial_number"].native


@pytest.mark.parametrize(("query", "fail"), [
    (b"not der", "bad_data_format"),
    (_ts_query(b"\x11" * 20, algorithm="sha1"), "bad_alg"),
    (_ts_query(b"\x11" * 31), "bad_data_format"),
    (_ts_query(req_policy="1.2.3.4"), "unaccepted_policy"),
    (_ts_query(nonce=1 << 300), "bad_data_format"),  # bounded nonce (issue 13)
    (_ts_query(nonce=-5), "bad_data_format"),
])
def test_tsa_rejections(pki_client, service, query, fail):
    reply = _post_ts(pki_client, query)
    assert reply["status"]["status"].native == "rejection"
    assert reply["status"]["fail_info"].native == {fail}


def test_tsa_wrong_media_type(pki_client, service):
    response = pki_client.post("/pki/tsa", data=_ts_query(),
                               headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 415


def test_ca_and_crl_endpoints(pki_client, service):
    root = pki_client.get("/pki/ca/root.cer")
    assert root.mimetype == "application/pkix-cert"
    assert root.data == service.pki.material().root.certificate.dump()
    response = pki_client.get("/pki/crl/issuing.crl")
    assert response.mimetype == "application/pkix-crl"
    parsed = crl.CertificateList.load(response.data)
    assert parsed["tbs_cert_list"]["next_update"].native > parsed["tbs_cert_list"][
        "this_update"].native
    for path in ("/pki/ca/tsa.cer", "/pki/crl/other.crl"):
        response = pki_client.get(path)
        assert response.status_code == 404
        assert response.get_json()["error"] == "not_found"


def test_pki_routes_answer_503_before_pki_init(fresh_app):
    from keys import get_service

    get_service(fresh_app).invalidate()
    client = fresh_app.test_client()
    for method, path in (("get", "/pki/ca/root.cer"), ("get", "/pki/crl/root.crl"),
                         ("post", "/pki/ocsp"), ("post", "/pki/tsa")):
        headers = {"Content-Type": "application/ocsp-request" if "ocsp" in path
                   else "application/timestamp-query"}
        response = getattr(client, method)(path, data=b"x", headers=headers)
        assert response.status_code == 503, path
        assert response.get_json()["error"] == "pki_not_initialised"
    assert client.get("/jwks.json").status_code == 200


def test_readiness_and_openapi(pki_client):
    body = pki_client.get("/readyz").get_json()
    assert body["checks"]["keys"] == {"status": "ok"}
    paths = pki_client.get("/openapi.json").get_json()["paths"]
    assert {"/jwks.json", "/pki/ocsp", "/pki/tsa", "/pki/crl/{name}.crl"} <= set(paths)


def test_ocsp_unknown_critical_and_duplicate_extensions_are_refused(pki_client, service, seal):
    """Issue 13: an unknown critical extension (RFC 6960, 4.4) or an extension given twice
    (RFC 5280, 4.2) makes the request malformed."""
    def request(extensions):
        ca = service.pki.material().ca("issuing")
        return ocsp.OCSPRequest({"tbs_request": {
            "request_list": [{"req_cert": {
                "hash_algorithm": {"algorithm": "sha1"},
                "issuer_name_hash": ca.name_hashes["sha1"],
                "issuer_key_hash": ca.key_hashes["sha1"],
                "serial_number": seal.certificate.serial_number}}],
            "request_extensions": extensions}}).dump()

    unknown = request([{"extn_id": "1.2.3.4.5", "critical": True,
                        "extn_value": b"\x05\x00"}])
    assert _post_ocsp(pki_client, unknown)["response_status"].native == "malformed_request"
    twice = request([{"extn_id": "nonce", "extn_value": b"a" * 16},
                     {"extn_id": "nonce", "extn_value": b"b" * 16}])
    assert _post_ocsp(pki_client, twice)["response_status"].native == "malformed_request"
    fine = request([{"extn_id": "nonce", "extn_value": b"a" * 16}])
    assert _post_ocsp(pki_client, fine)["response_status"].native == "successful"


def test_ocsp_revoked_with_invalidity_date(pki_client, service, seal):
    """RFC 6960, 4.4: the CRL entry extension invalidityDate as a single extension."""
    compromised = service.now().replace(microsecond=0) - __import__("datetime").timedelta(days=2)
    service.pki.revoke(serial=seal.serial, reason="keyCompromise", now=service.now(),
                       invalidity_date=compromised)
    reply = _post_ocsp(pki_client, _ocsp_request(service, seal.certificate))
    single = reply.basic_ocsp_response["tbs_response_data"]["responses"][0]
    assert single["cert_status"].name == "revoked"
    assert single.invalidity_date_value.native == compromised


def test_status_after_is_produced_at_or_after_the_time_asked(service, seal):
    """`keys.status_after` (what sealing embeds after a signature time-stamp): a response the
    responder keeps (`ocsp.cache_seconds`) is reused only if produced at or after `not_before`;
    one request answers for every certificate given."""
    from datetime import timedelta

    from keys import status_after

    tsa = service.pki.material().tsa.certificate
    start = service.now().replace(microsecond=0)
    service.clock = lambda: start
    first = status_after(service, certificates=[seal.certificate, tsa], not_before=start)
    data = first.basic_ocsp_response["tbs_response_data"]
    assert [r["cert_id"]["serial_number"].native for r in data["responses"]] == [
        seal.certificate.serial_number, tsa.serial_number]
    assert data["produced_at"].native == start
    later = start + timedelta(seconds=5)
    service.clock = lambda: later
    kept = status_after(service, certificates=[seal.certificate, tsa], not_before=start)
    assert kept.dump() == first.dump()  # still within ocsp.cache_seconds, and not older
    fresh = status_after(service, certificates=[seal.certificate, tsa], not_before=later)
    assert fresh.basic_ocsp_response["tbs_response_data"]["produced_at"].native == later
