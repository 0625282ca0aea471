"""`cedula pki renew tsa|ocsp|issuing --if-due` within the renewal window, when the issuer's end
caps the successor (RFC 5280, 6.1.3 (a)(2); `keys.succession`), says so and what to run, and
exits 1: the certificate runs out with its issuer unless the operator renews the issuer.

Before: it said "tsa is not due (valid until ...): nothing renewed" and exited 0, so a cron job
reported nothing while the TSA's last days went by.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.cli import cedula

WHAT = {"tsa": "renew the issuing CA first, `cedula pki renew issuing` (root key ceremony); the tsa "
               "certificate then renews itself",
        "ocsp": "renew the issuing CA first, `cedula pki renew issuing` (root key ceremony); the ocsp "
                "certificate then renews itself",
        "issuing": "a new root is needed (ceremony, see docs/pki.md)"}


@pytest.mark.parametrize("name", ["tsa", "ocsp", "issuing"])
def test_a_successor_capped_by_its_issuer_is_named_as_the_reason(service, fresh_app, name):
    material = service.pki.material()
    issuer = "root" if name == "issuing" else "issuing"
    issuer_end = material.ca(issuer).certificate.not_valid_after
    service.clock = lambda: issuer_end - timedelta(days=3)
    first = cedula(fresh_app, "pki", "renew", name, "--if-due")
    assert first.exit_code == 0 and first.output.startswith(f"{name} renewed: serial "), first.output
    second = cedula(fresh_app, "pki", "renew", name, "--if-due")
    assert second.exit_code == 1
    assert second.output == (
        f"Error: {name} is due (valid until {issuer_end.isoformat()}) but not renewed: a successor "
        f"would end with the {issuer} CA, on the same day ({issuer_end.isoformat()}); "
        f"{WHAT[name]}\n")
