"""A CRL is announced cacheable (Cache-Control max-age) only until its nextUpdate (RFC 5280,
5.1.2.5: a newer CRL is issued by then; RFC 5019, 6.2 says the same of OCSP).

Before: /pki/crl/<name>.crl always said max-age=[pki] crl_cache_seconds: the root's CRL,
issued offline, 30 s before its nextUpdate (or already past it, when the ceremony is late) was
still given 60 s in HTTP caches, which then served an expired CRL that relying parties refuse
(and a cache_seconds above the issuing CRL's remaining half life did the same to it).
"""

from __future__ import annotations

from datetime import timedelta

from asn1crypto import crl


def _max_age(response) -> int:
    value = response.headers["Cache-Control"]
    if value == "no-store" or "no-store" in value:
        return 0
    return int(value.split("max-age=")[1].split(",")[0])


def _next_update(response):
    return crl.CertificateList.load(response.data)["tbs_cert_list"]["next_update"].native


def test_a_crl_is_not_cached_past_its_next_update(service, pki_client):
    next_update = service.pki.root_crl_next_update()
    for before in (30, 1, 0, -3600):
        now = next_update - timedelta(seconds=before)
        service.clock = lambda now=now: now
        response = pki_client.get("/pki/crl/root.crl")
        assert response.status_code == 200
        assert _next_update(response) == next_update
        assert _max_age(response) <= max(0, before), before


def test_a_fresh_crl_keeps_its_cache_time(service, pki_client):
    response = pki_client.get("/pki/crl/issuing.crl")
    assert _max_age(response) == 60
