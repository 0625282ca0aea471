"""`cedula pki status` and the readiness warning name the issuer's renewal for a certificate
whose successor its issuer's end caps (RFC 5280, 6.1.3 (a)(2); `keys.succession`): renewing the
certificate itself would issue a successor ending on the same day.

Before: both said "renew with `cedula pki renew tsa`" for a TSA certificate ending with the
issuing CA; run, it issued another TSA key and certificate ending that same day, and the TSA
stayed due.
"""

from __future__ import annotations

from datetime import timedelta

from keys import renewal
from tests.support.cli import cedula

FIRST = "`cedula pki renew issuing` (root key ceremony) first: a successor would end with the issuing CA"


def test_a_capped_certificate_is_renewed_through_its_issuer(service, fresh_app):
    pki = service.pki
    issuing_end = pki.material().issuing.certificate.not_valid_after
    service.clock = lambda: issuing_end - timedelta(days=30)
    assert pki.renew_services(service.now()) == ["tsa", "ocsp"]
    pki.publish_root_crl(service.now())  # the root's CRL of years ago has run out
    status = cedula(fresh_app, "pki", "status")
    assert status.exit_code == 1
    lines = {line.split()[0]: line for line in status.output.splitlines()}
    assert lines["tsa"] == f"tsa       expires {issuing_end.isoformat()}  DUE: {FIRST}"
    assert lines["issuing"] == (f"issuing   expires {issuing_end.isoformat()}  "
                                "DUE: `cedula pki renew issuing` (root key ceremony)")
    assert lines["ocsp"].endswith("  ok")
    warnings = renewal.check(pki, service.now)
    assert f"tsa expires {issuing_end:%Y-%m-%d %H:%M} UTC: renew with {FIRST}" in warnings
