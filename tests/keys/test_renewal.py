"""A PKI that outlives its certificates (issue 13): renewal, revoked TSA/OCSP replaced at once,
the root key offline in normal operation, lifetimes in /metrics and /readyz."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from asn1crypto import crl as asn1_crl

from keys import issue_seal_certificate
from tests.keys.test_services import _ocsp_request, _post_ocsp, _post_ts, _ts_query


def _token_signer(reply):
    signed = reply["time_stamp_token"]["content"]
    return signed["signer_infos"][0]["sid"].chosen["serial_number"].native


@pytest.fixture
def seal(service):
    return issue_seal_certificate(service, client_id="c", organization_name="C",
                                  organization_identifier="VATSV-C")


def test_renew_tsa_issues_a_successor_with_a_new_key(pki_client, service):
    before = service.pki.material().tsa
    service.pki.renew("tsa", service.now())
    after = service.pki.material().tsa
    assert after.serial != before.serial and after.key.key_id != before.key.key_id
    assert after.certificate.subject == before.certificate.subject
    reply = _post_ts(pki_client, _ts_query(hashlib.sha256(b"x").digest(), cert_req=True))
    assert _token_signer(reply) == after.certificate.serial_number


def test_renew_issuing_keeps_the_key_and_earlier_certificates_chain(service, seal):
    before = service.pki.material().issuing
    service.pki.renew("issuing", service.now())
    after = service.pki.material().issuing
    assert after.serial != before.serial
    assert after.key.key_id == before.key.key_id
    assert after.certificate.key_identifier == before.certificate.key_identifier
    assert after.certificate.subject == seal.certificate.issuer
    # The seal issued before still verifies under the renewed issuing CA certificate.
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

    issuing = x509.load_der_x509_certificate(after.certificate.dump())
    leaf = x509.load_der_x509_certificate(seal.certificate.dump())
    issuing.public_key().verify(leaf.signature, leaf.tbs_certificate_bytes,
                                ec.ECDSA(leaf.signature_hash_algorithm))
    assert "ocsp" not in str(after.certificate.authority_information_access_value.native)


def test_renew_refuses_the_root_and_unknown_names(service):
    from keys.errors import InvalidRequest

    with pytest.raises(InvalidRequest, match="renew one of tsa, ocsp, issuing; not 'root'"):
        service.pki.renew("root", service.now())


def test_tsa_renews_itself_within_its_window(pki_client, service):
    tsa = service.pki.material().tsa
    window = service.pki.renewal_window("tsa")
    service.clock = lambda: tsa.certificate.not_valid_after - window + timedelta(hours=1)
    reply = _post_ts(pki_client, _ts_query(hashlib.sha256(b"y").digest(), cert_req=True))
    renewed = service.pki.material().tsa
    assert renewed.serial != tsa.serial
    assert _token_signer(reply) == renewed.certificate.serial_number
    assert renewed.certificate.not_valid_after > tsa.certificate.not_valid_after
    # a second request (another worker) does not renew again
    _post_ts(pki_client, _ts_query(hashlib.sha256(b"z").digest()))
    assert service.pki.material().tsa.serial == renewed.serial


def test_ocsp_responder_is_short_lived_and_renews_itself(pki_client, service, seal):
    responder = service.pki.material().ocsp.certificate
    lifetime = responder.not_valid_after - responder.not_valid_before
    assert lifetime <= timedelta(days=14, minutes=5)
    service.clock = lambda: responder.not_valid_after - timedelta(days=2)
    reply = _post_ocsp(pki_client, _ocsp_request(service, seal.certificate))
    used = reply.basic_ocsp_response["certs"][0]
    assert used.serial_number != responder.serial_number
    assert used.serial_number == service.pki.material().ocsp.certificate.serial_number


def test_revoked_tsa_is_out_of_use_at_once(pki_client, service):
    tsa = service.pki.material().tsa
    service.pki.revoke(serial=tsa.serial, reason="keyCompromise", now=service.now())
    successor = service.pki.material().tsa
    assert successor.serial != tsa.serial
    reply = _post_ts(pki_client, _ts_query(hashlib.sha256(b"a").digest(), cert_req=True))
    assert _token_signer(reply) == successor.certificate.serial_number
    crl = asn1_crl.CertificateList.load(pki_client.get("/pki/crl/issuing.crl").data)
    assert tsa.certificate.serial_number in {
        e["user_certificate"].native for e in crl["tbs_cert_list"]["revoked_certificates"]}


def test_revoked_ocsp_responder_is_out_of_use_at_once(pki_client, service, seal):
    first = _post_ocsp(pki_client, _ocsp_request(service, seal.certificate))  # cached body
    responder = service.pki.material().ocsp
    assert first.basic_ocsp_response["certs"][0].serial_number == \
        responder.certificate.serial_number
    service.pki.revoke(serial=responder.serial, reason="keyCompromise", now=service.now())
    again = _post_ocsp(pki_client, _ocsp_request(service, seal.certificate))
    used = again.basic_ocsp_response["certs"][0]
    assert used.serial_number != responder.certificate.serial_number
    assert used.serial_number == service.pki.material().ocsp.certificate.serial_number


def test_the_web_process_never_uses_the_root_key(pki_client, service, seal, monkeypatch):
    """CRLs, OCSP, time-stamps and new certificates, also long after the root CRL's
    half-life: nothing signs with the root key, which can stay offline."""
    root = service.pki.material().root.key.key_id
    real = service.custody.sign
    used = []

    def guarded(ref, data, *args, **kwargs):
        used.append(ref.key_id)
        assert ref.key_id != root, "the root key was used"
        return real(ref, data, *args, **kwargs)

    monkeypatch.setattr(service.custody, "sign", guarded)
    service.clock = lambda: service.pki.material().tsa.certificate.not_valid_before + \
        timedelta(days=100)  # the root CRL is past its half-life, the issuing CRL expired
    assert pki_client.get("/pki/crl/root.crl").status_code == 200
    assert pki_client.get("/pki/crl/issuing.crl").status_code == 200
    reply = _post_ocsp(pki_client, _ocsp_request(service, seal.certificate))
    assert reply["response_status"].native == "successful"
    issuing = service.pki.material().issuing.certificate
    refused = _post_ocsp(pki_client, _ocsp_request(service, issuing, issuer="root"))
    assert refused["response_status"].native == "unauthorized"
    _post_ts(pki_client, _ts_query(hashlib.sha256(b"b").digest()))
    issue_seal_certificate(service, client_id="d", organization_name="D",
                           organization_identifier="VATSV-D")
    service.pki.revoke(serial=seal.serial, reason="superseded", now=service.now())
    assert used and root not in used


def test_due_lists_what_needs_renewing(service):
    material = service.pki.material()
    assert service.pki.due(service.now()) == {}
    at = material.issuing.certificate.not_valid_after - timedelta(days=10)
    due = service.pki.due(at)
    assert {"issuing", "tsa", "ocsp", "root_crl"} <= set(due)


def test_metrics_and_readiness_report_lifetimes(pki_client, service, caplog):
    from infra.config import get_settings
    from infra.ops.metrics import TOKEN_FILE

    token = (get_settings(pki_client.application).data_dir / TOKEN_FILE).read_text().strip()
    operator = {"Authorization": f"Bearer {token}"}
    body = pki_client.get("/metrics", headers=operator).get_data(as_text=True)
    assert 'cedula_pki_seconds_left{certificate="tsa"}' in body
    assert 'cedula_pki_renewal_due{certificate="root_crl"} 0.0' in body
    assert pki_client.get("/readyz").get_json()["checks"]["pki"] == {"status": "ok"}
    crl_end = service.pki.root_crl_next_update()
    service.clock = lambda: crl_end - timedelta(days=1)
    body = pki_client.get("/metrics", headers=operator).get_data(as_text=True)
    assert 'cedula_pki_renewal_due{certificate="root_crl"} 1.0' in body
    ahead = pki_client.get("/readyz")  # due but not expired: still ready, and warned
    assert ahead.status_code == 200 and ahead.get_json()["status"] == "ok"
    warned = ahead.get_json()["checks"]["pki"]
    assert warned["status"] == "warn"
    assert "root_crl expires " in warned["detail"] and "`cedula pki crl root`" in warned["detail"]
    service.clock = lambda: crl_end + timedelta(days=1)
    with caplog.at_level("WARNING", logger="infra.ops.health"):
        ready = pki_client.get("/readyz")
    assert ready.status_code == 503
    # The public answer names the part; what expired and what to run is in the node's log.
    assert "pki" in ready.get_json()["checks"]["pki"]["detail"]
    logged = [r.error for r in caplog.records if r.getMessage() == "pki not ready"]
    assert logged and logged[-1].startswith("expired: root_crl (renew with `cedula pki crl root`")
    service.pki.publish_root_crl(service.now())
    assert pki_client.get("/readyz").get_json()["checks"]["pki"] == {"status": "ok"}
