"""A pre-produced OCSP response (RFC 6960, 2.4 and 4.2.2.1; RFC 5019, 6.2) is reused, and
announced cacheable, only while it is still valid: never past its nextUpdate.

Before: a response without a nonce was reused for [ocsp] cache_seconds whatever its validity;
with validity_seconds = 30 and cache_seconds = 60 (short-lived responses, a usual choice) a
request 40 s later got the 30 s response again, its nextUpdate 10 s in the past, and the GET
answer said `max-age` 20: clients (openssl ocsp: "status expired") refuse it and HTTP caches
keep it. Now a response is reused for at most half its validity, and max-age never reaches
past that.
"""

from __future__ import annotations

from datetime import timedelta

from asn1crypto import ocsp

from keys import issue_seal_certificate
from keys.ocsp import OcspResponder
from tests.keys.test_services import _ocsp_request


def _next_update(reply):
    data = ocsp.OCSPResponse.load(reply.der).basic_ocsp_response["tbs_response_data"]
    return data["responses"][0]["next_update"].native


def test_a_response_is_not_reused_past_its_validity(service):
    seal = issue_seal_certificate(service, client_id="c", organization_name="C",
                                  organization_identifier="VATSV-C")
    responder = OcspResponder(service.pki, {"ocsp": {"validity_seconds": 30,
                                                     "cache_seconds": 60}})
    request = _ocsp_request(service, seal.certificate)
    now = service.now().replace(microsecond=0)
    first = responder.respond(request, now=now)
    assert _next_update(first) == now + timedelta(seconds=30)
    later = now + timedelta(seconds=20)
    again = responder.respond(request, now=later)
    assert _next_update(again) > later
    assert later + timedelta(seconds=again.max_age) <= _next_update(again)
    for seconds in (0, 5, 14, 15, 29, 40):
        at = now + timedelta(seconds=seconds)
        reply = responder.respond(request, now=at)
        assert _next_update(reply) - at >= timedelta(seconds=15), seconds
        assert at + timedelta(seconds=reply.max_age) <= _next_update(reply), seconds


def test_the_default_reuse_is_unchanged(service):
    seal = issue_seal_certificate(service, client_id="c", organization_name="C",
                                  organization_identifier="VATSV-C")
    responder = OcspResponder(service.pki, {"ocsp": {"validity_seconds": 3600,
                                                     "cache_seconds": 60}})
    request = _ocsp_request(service, seal.certificate)
    now = service.now().replace(microsecond=0)
    first = responder.respond(request, now=now)
    assert first.max_age == 60
    again = responder.respond(request, now=now + timedelta(seconds=59))
    assert again.der == first.der and again.max_age == 1
    fresh = responder.respond(request, now=now + timedelta(seconds=60))
    assert fresh.der != first.der and fresh.max_age == 60
