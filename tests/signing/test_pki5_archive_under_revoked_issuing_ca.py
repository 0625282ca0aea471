"""The archive task issues no TSA certificate under a revoked issuing CA (RFC 5280, 6.3), and
does not fail for it: `prepare_authority` leaves the TSA as it is and says why in the log.

Before: when the TSA certificate came within the archive horizon, `prepare_authority` issued a
new TSA key and certificate signed by the revoked (perhaps stolen) issuing key; once such a
successor was refused (`keys.service_certificates`), the refusal ended the whole run.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from signing import archive
from tests.signing.test_archive import _issue, clock  # noqa: F401 - the clock fixture


def test_no_tsa_certificate_for_the_archive_under_a_revoked_issuing_ca(documents, citizen, pki_app,
                                                                       clock, caplog):  # noqa: F811
    document = _issue(documents, citizen)
    pki = documents.keys.pki
    issuing = pki.material().issuing
    pki.revoke(serial=issuing.serial, reason="cACompromise", now=documents.keys.now())
    tsa = pki.material().tsa.certificate
    now = clock(tsa.not_valid_after - documents.keys.now() - timedelta(days=100))  # within the horizon
    with caplog.at_level(logging.WARNING, logger="signing.archive"):
        report = archive.renew_all(documents, now=now, horizon=documents.settings.archive_renew_before)
    assert report.renewed == [] and report.failed == [], report
    assert report.checked == 1 and document.id
    pki.invalidate()
    assert pki.material().tsa.certificate.dump() == tsa.dump()
    assert [record.getMessage() for record in caplog.records if record.name == "signing.archive"] == [
        "archive time-stamps wait for a new PKI: the issuing CA is revoked (docs/pki.md, Revocation)"]
