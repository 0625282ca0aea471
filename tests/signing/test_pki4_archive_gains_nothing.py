"""An archive time-stamp is added only when it outlives the last one (ETSI EN 319 142-1, 5.5):
while the issuing CA (or the root) itself ends within `[documents] archive_renew_before_days`,
a new TSA certificate ends with it and a new document time-stamp proves nothing longer.

Before: in the days between 120 (the archive horizon) and 60 (`renew_before_days`, when the
issuing CA is reported due) days before the issuing CA expires, every run (daily) issued another
TSA certificate with a new key and added another time-stamp revision to every B-LTA document,
each ending on the same day as the one before; and for the last 120 days of the root, which no
command renews, forever.
"""

from __future__ import annotations

from datetime import timedelta

from signing import archive
from signing.models import Document
from tests.signing.test_archive import _issue, _operate, clock  # noqa: F401 - the clock fixture


def _stored(documents, document_id):
    with documents.database.read() as session:
        return session.get(Document, document_id).sha256


def test_no_time_stamp_that_ends_with_the_last_one(documents, citizen, pki_app, clock):  # noqa: F811
    document = _issue(documents, citizen)
    horizon = documents.settings.archive_renew_before
    pki = documents.keys.pki
    issuing_end = pki.material().issuing.certificate.not_valid_after
    start = documents.keys.now()
    last = issuing_end - timedelta(days=120)  # the archive horizon reaches the issuing CA's end
    while (due := pki.material().tsa.certificate.not_valid_after - timedelta(days=30)) < last:
        now = clock(due - start)
        _operate(documents, now)  # the root's CRL, issued again before it runs out
        report = archive.renew_all(documents, now=now, horizon=horizon)
        assert report.renewed == [document.id] and report.failed == [], report
    stamped = _stored(documents, document.id)
    tsa = pki.material().tsa.certificate
    for day in (119, 118, 117, 90, 61):  # the daily task, before the issuing CA is reported due
        now = clock(issuing_end - start - timedelta(days=day))
        _operate(documents, now)
        report = archive.renew_all(documents, now=now, horizon=horizon)
        assert report.renewed == [] and report.failed == [], (day, report)
        assert pki.material().tsa.certificate.dump() == tsa.dump(), day
        assert _stored(documents, document.id) == stamped, day
