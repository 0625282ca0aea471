"""The TSA and OCSP responder certificates renew themselves only when the successor outlives
them: both are capped at the issuing CA's notAfter (RFC 5280, 6.1.3 (a)(2)), so while the
issuing CA itself ends within their renewal window a successor ends on the same day.

Before: within `[pki] renew_before_days` (60) of the issuing CA's end, until the operator's
`cedula pki renew issuing` ceremony, every time-stamp request and readiness check issued
another TSA key and certificate (and, in the last 7 days, every OCSP request another responder
key and certificate), each bumping the PKI generation (every process reloads its material,
every sealer drops its caches): thousands of keys in the key store or the HSM in a day.
"""

from __future__ import annotations

from datetime import timedelta

from keys.tsa import TimeStampResp
from tests.keys.test_services import _ocsp_request, _ts_query, seal  # noqa: F401 - the seal fixture


def test_no_successor_that_ends_with_the_issuing_ca(service, seal):  # noqa: F811
    pki = service.pki
    issuing_end = pki.material().issuing.certificate.not_valid_after
    service.clock = lambda: issuing_end - timedelta(days=30)
    # the TSA (1095 days, capped: it ends with the CA) and the responder of years ago (14 days)
    assert pki.renew_services(service.now()) == ["tsa", "ocsp"]
    assert pki.material().tsa.certificate.not_valid_after == issuing_end
    tsa = pki.material().tsa.certificate.dump()
    for _ in range(3):
        reply = TimeStampResp.load(service.tsa.respond_der(_ts_query(), now=service.now()))
        assert reply["status"]["status"].native == "granted"
    assert pki.renew_services(service.now()) == []
    assert pki.material().tsa.certificate.dump() == tsa
    service.clock = lambda: issuing_end - timedelta(days=3)  # the responder's window (7 days)
    assert pki.renew_services(service.now()) == ["ocsp"]
    responder = pki.material().ocsp.certificate.dump()
    for _ in range(3):
        assert service.ocsp.respond(_ocsp_request(service, seal.certificate), now=service.now()).status == \
            "successful"
    assert pki.renew_services(service.now()) == []
    assert pki.material().ocsp.certificate.dump() == responder
    assert pki.material().tsa.certificate.dump() == tsa


def test_a_renewed_issuing_ca_lets_them_renew_again(service):
    pki = service.pki
    issuing_end = pki.material().issuing.certificate.not_valid_after
    service.clock = lambda: issuing_end - timedelta(days=30)
    assert pki.renew_services(service.now()) == ["tsa", "ocsp"]
    assert pki.renew_services(service.now()) == []
    pki.renew("issuing", service.now())
    assert pki.renew_services(service.now()) == ["tsa"]
    assert pki.material().tsa.certificate.not_valid_after > issuing_end
