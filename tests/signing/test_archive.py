"""Archive time-stamps (issue 13): B-LTA documents stay TOTAL-PASSED for decades when renewed,
and stop verifying without it. Tested by moving the clock of the key service, which the TSA,
the OCSP responder, the CRLs and the verifier all read."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from signing import archive
from tests.signing.conftest import AGENCY, AGENCY_NAME
from tests.signing.samples import sample

YEAR = timedelta(days=365)


def _issue(documents, citizen):
    from signing.issuance import issue

    return issue(documents, client_id=AGENCY, agency_name=AGENCY_NAME, template="residence", citizen=citizen,
                 data=sample("residence"), level="B-LTA")


def _verdict(app, documents, document_id):
    from signing.models import Document
    from signing.verify.service import get_verification

    with documents.database.read() as session:
        sha256 = session.get(Document, document_id).sha256
    verifier = get_verification(app).verifier
    limits = verifier.limits
    # Fifteen years of renewals: a long chain of archive time-stamps to validate. The verdict is
    # what this test is about, not the time budget ([verify] time_budget_seconds, tested in
    # tests/signing/verify): on a machine loaded by other work the wall clock could run out first.
    verifier.limits = dataclasses.replace(limits, seconds=max(limits.seconds, 600.0))
    try:
        report = get_verification(app).verify(documents.store.read(sha256))
    finally:
        verifier.limits = limits
    return report.indication.value, report.conclusion.sub_indication


# pyHanko's proof-of-existence bookkeeping reads the system clock (POEManager, ...): it is
# moved with the key service's, as a real deployment's clocks would move together.
PYHANKO_CLOCK_READERS = ("pyhanko_certvalidator.ltv.poe", "pyhanko_certvalidator.ltv.ades_past",
                         "pyhanko_certvalidator.ltv.types", "pyhanko_certvalidator.context",
                         "pyhanko.sign.validation.ades", "pyhanko.sign.signers.pdf_signer",
                         "pyhanko.sign.signers.pdf_cms", "pyhanko.pdf_utils.metadata.info")


class _AnyDatetime(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, datetime)


def _moved_datetime(moment: datetime) -> type:
    class MovedDatetime(datetime, metaclass=_AnyDatetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    return MovedDatetime


@pytest.fixture
def clock(documents, monkeypatch):
    """Move the key service's clock (and so the verifier's, the TSA's, the OCSP responder's
    and pyHanko's); put it back afterwards."""
    import importlib

    service = documents.keys
    original = service.clock
    start = service.now()
    modules = [importlib.import_module(name) for name in PYHANKO_CLOCK_READERS]

    def move(delta: timedelta):
        moment = start + delta
        service.clock = lambda: moment
        for module in modules:
            monkeypatch.setattr(module, "datetime", _moved_datetime(moment))
        return moment

    yield move
    service.clock = original
    service.invalidate()


def _operate(documents, now):
    """A diligent operator: the root key ceremonies when `cedula pki status` says so."""
    due = documents.keys.pki.due(now)
    if "issuing" in due:
        documents.keys.pki.renew("issuing", now)
    if "root_crl" in due or "issuing" in due:
        documents.keys.pki.publish_root_crl(now)


def test_renewed_documents_stay_valid_for_fifteen_years(documents, citizen, pki_app, clock):
    renewed = _issue(documents, citizen).id
    neglected = _issue(documents, citizen).id
    horizon = documents.settings.archive_renew_before
    checks = {}
    step = timedelta(days=45)
    moment = timedelta(0)
    while moment <= 15 * YEAR + step:
        now = clock(moment)
        _operate(documents, now)
        archive.prepare_authority(documents, now=now, horizon=horizon)
        archive.renew_document(documents, renewed, now=now, horizon=horizon)
        for mark in (5, 15):
            if mark not in checks and moment >= mark * YEAR:
                checks[mark] = (_verdict(pki_app, documents, renewed),
                                _verdict(pki_app, documents, neglected))
        moment += step
    for mark in (5, 15):
        kept, lost = checks[mark]
        assert kept == ("TOTAL-PASSED", None), (mark, kept)
        assert lost[0] != "TOTAL-PASSED", (mark, lost)


def test_renewal_is_idempotent_and_only_when_due(documents, citizen, pki_app, clock):
    from signing.models import Document

    document = _issue(documents, citizen)
    horizon = documents.settings.archive_renew_before
    report = archive.renew_all(documents, now=clock(timedelta(0)), horizon=horizon)
    assert report.checked == 1 and report.renewed == []  # fresh: nothing to do
    tsa_end = documents.keys.pki.material().tsa.certificate.not_valid_after
    now = clock(tsa_end - documents.keys.now() - timedelta(days=30))
    _operate(documents, now)
    first = archive.renew_all(documents, now=now, horizon=horizon)
    assert first.renewed == [document.id] and first.failed == []
    again = archive.renew_all(documents, now=now, horizon=horizon)
    assert again.renewed == []  # a second run (another node) finds nothing due
    with documents.database.read() as session:
        row = session.get(Document, document.id)
    pdf = documents.store.read(row.sha256)
    assert row.size == len(pdf) and row.sha256 != document.sha256
    assert pdf.startswith(documents.store.read(document.sha256))  # an incremental update
    assert _verdict(pki_app, documents, document.id) == ("TOTAL-PASSED", None)


def test_the_periodic_task_runs_on_one_process_at_a_time(documents, monkeypatch):
    """Two nodes tick; only the holder of the lease renews (infra.leases)."""
    from infra.leases import Leases

    runs = []
    monkeypatch.setattr(archive, "renew_all",
                        lambda service, **kwargs: runs.append(kwargs) or archive.RenewalReport())
    nodes = [archive.ArchiveRenewal(documents, seconds=3600, horizon=timedelta(days=120),
                                    leases=Leases(documents.database), holder=f"node-{n}")
             for n in (1, 2)]
    for node in nodes + nodes:
        node.tick()
    assert len(runs) == 2  # node 1, twice; node 2 never
    assert Leases(documents.database).current(archive.ArchiveRenewal.LEASE).holder == "node-1"


def test_an_lta_seal_outlives_its_seal_certificate(documents, citizen, pki_app, clock):
    """At +800 days the seal certificate (730 days) has expired, the document time-stamp's
    (1095 days) has not: the seal is still TOTAL-PASSED, without any renewal (a guard: the
    verifier's own evidence-record path must not change this)."""
    document = _issue(documents, citizen)
    now = clock(timedelta(days=800))
    _operate(documents, now)
    assert _verdict(pki_app, documents, document.id) == ("TOTAL-PASSED", None)
