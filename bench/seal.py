"""Sealing: Cédula's issuance path against plain pyHanko, at PAdES B-B, B-T, B-LT and B-LTA.

Three rows per level, all on one core, in this process:
  cédula issue       `signing.issuance.issue`: validate + render + seal + store (file + row);
  cédula seal        `Sealer.seal` alone on an already rendered PDF (key in custody, in-process
                     TSA and OCSP, tagged widget, Cédula's stamp; from B-LT, an OCSP response
                     made after the signature time-stamp, in a DSS revision of its own);
  pyhanko (baseline) `PdfSigner` + `SimpleSigner` on the same PDF, key in memory,
                     `DummyTimeStamper`, revocation info made once, in the signed revision
                     (bench/pyhanko_baseline.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bench.harness import Result, measure
from infra.config import get_settings
from infra.db import get_db

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")


def _documents(app):
    from keys import get_service, issue_seal_certificate
    from signing.service import DocumentService
    from tests.signing.conftest import AGENCY, AGENCY_NAME, FakeDirectory

    service = get_service(app)
    service.pki.init(datetime.now(UTC))
    issue_seal_certificate(service, client_id=AGENCY, organization_name=AGENCY_NAME,
                           organization_identifier="VATSV-0614-010101-001-1")
    documents = DocumentService(settings=get_settings(app), database=get_db(app),
                                key_service=service, directory=FakeDirectory())
    documents.warm_up_fonts()
    documents.warm_up_keys()
    return documents


def _rendered(documents):
    """The residence certificate as `issue` renders it, and the seal field it places."""
    from signing import csv as verification_code
    from signing.i18n import format_datetime, text
    from signing.pades import SignatureField
    from signing.render import render
    from signing.stamp import SignatureStampStyle
    from signing.templates import get_template
    from tests.signing import samples
    from tests.signing.conftest import AGENCY_NAME

    issued_at = datetime.now(UTC).replace(microsecond=0)
    csv = verification_code.generate()
    rendered = render(get_template("residence"), samples.sample("residence", holder=True), language="es",
                      agency_name=AGENCY_NAME, issued_at=issued_at, csv=csv,
                      verify_url=documents.verify_url(csv), citizen_name="María José Núñez Peña",
                      paper=documents.settings.paper)
    stamp = SignatureStampStyle(kicker=text("documents.seal.kicker", "es"), name=AGENCY_NAME,
                                when=format_datetime(issued_at, "es"))
    field = SignatureField(name="Seal", page=rendered.signature_page, box=rendered.signature_box,
                           stamp=stamp, tag=True,
                           description=text("documents.seal.description", "es", agency=AGENCY_NAME))
    return rendered, field


def seal(app, seconds: float) -> list[Result]:
    """Cédula's issuance and sealing against plain pyHanko, at each PAdES level."""
    import logging

    # pyHanko warns on every B-LT+ signature that fetching is off: both sides embed
    # revocation information given beforehand, on purpose.
    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    from bench.pyhanko_baseline import PlainPyHanko
    from signing.issuance import issue
    from signing.service import CitizenRef
    from tests.signing import samples
    from tests.signing.conftest import AGENCY, AGENCY_NAME

    documents = _documents(app)
    rendered, field = _rendered(documents)
    baseline = PlainPyHanko()
    citizen = CitizenRef(id="5b0c1b9e-2f43-4a8e-9d0c-6f1f3e3b8a11", given_name="María José",
                         family_name="Núñez Peña", national_id="04892613-3")
    results: list[Result] = []
    for level in LEVELS:
        group = f"seal {level}"

        def issue_step(level=level):
            return lambda: issue(documents, client_id=AGENCY, agency_name=AGENCY_NAME, template="residence",
                                 citizen=citizen, data=samples.RESIDENCE, level=level)

        def seal_step(level=level):
            return lambda: documents.sealer.seal(rendered.pdf, client_id=AGENCY, level=level,
                                                 field=field, reason="Bench")

        def pyhanko_step(level=level):
            return lambda: baseline.seal(rendered.pdf, level=level, box=field.box,
                                         page=field.page)

        results.append(measure(f"{group}: cédula issue (render+seal+store)", issue_step,
                               seconds=seconds, warmup=3, group=group))
        results.append(measure(f"{group}: cédula seal (same PDF)", seal_step, seconds=seconds,
                               warmup=3, group=group))
        results.append(measure(f"{group}: plain pyhanko (same PDF)", pyhanko_step,
                               seconds=seconds, warmup=3, group=group, side="pyhanko",
                               baseline=True))
    return results
