"""`VerificationService`: one per app. It verifies PDFs (`Verifier`) and looks documents up.

Built by `signing.web.init_app`. The trust store and the verifier are built once; the own
root, CA certificates and CRLs come from `keys` (cached there) at each verification.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509

from infra.components import Slot
from infra.config import MAX_BODY_BYTES, MAX_SECONDS, MAX_THREADS, MAX_WAIT_SECONDS, Settings, read_section
from signing.verify import lookup
from signing.verify.budget import Limits
from signing.verify.errors import VerificationError
from signing.verify.report import CitizenSignedDocument, IssuedDocument, VerificationReport
from signing.verify.roles import Expectations
from signing.verify.signature_validation import OwnStatus
from signing.verify.trust import TrustStore
from signing.verify.validation import Evidence, Verifier

if TYPE_CHECKING:  # `cedula verify` verifies without Flask, the ORM or the sealing side
    from flask import Flask

    from infra.db import Database
    from infra.outbound import Outbound
    from keys.pki import Pki
    from keys.service import KeyService
    from signing.store import DocumentStore

log = logging.getLogger(__name__)


# pyHanko logs every failed check of a forged or untrusted file with a traceback; those are
# verdicts in the report, not faults of the service.
QUIET_LOGGERS = ("pyhanko.sign.validation", "pyhanko_certvalidator", "pyhanko.sign.diff_analysis",
                 "pyhanko.pdf_utils.reader")


def quiet_pyhanko() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


class AgencyNames(Protocol):
    """client_id -> the agency's name in `locale`, for the clients still registered (enabled or
    not), read in the caller's `session`: `clients.registry.agency_names`."""

    def __call__(self, session: Any, client_ids: Iterable[str], locale: str | None, /) -> Mapping[str, str]: ...


class VerifySettingsError(VerificationError):
    """A `[verify]` setting has a value that cannot work."""

    error = "configuration"
    status = 500


@dataclass(frozen=True)
class VerifySettings:
    trust_roots: tuple[str, ...]
    max_bytes: int
    fetch_revocation: bool
    attempts: int
    window_seconds: int
    lookups: int
    failed_lookups: int
    limits: Limits
    reports: int = 5
    reports_window_seconds: int = 3600

    @classmethod
    def load(cls, settings: Mapping[str, Any]) -> VerifySettings:
        section = read_section(settings, "verify", error=VerifySettingsError)
        whole = section.whole
        roots = section.values.get("trust_roots", [])
        if isinstance(roots, str):
            roots = [r for r in roots.split(",") if r.strip()]
        if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
            raise VerifySettingsError("verify.trust_roots must be a list of paths")
        # a request's wait (MAX_WAIT_SECONDS): 1e15 took away the budget that ends a hostile
        # file's verification as INDETERMINATE
        budget = section.number("time_budget_seconds", minimum=0.1, maximum=MAX_WAIT_SECONDS, unit="seconds")
        # the structure limits below have no upper bound: a huge one is a real (if unwise) choice,
        # "no limit", bounded anyway by max_upload_bytes and time_budget_seconds
        limits = Limits(seconds=budget,
                        cms_certificates=whole("max_cms_certificates"),
                        dss_entries=whole("max_dss_entries"),
                        path_steps=whole("max_path_steps"),
                        revisions=whole("max_revisions"),
                        signatures=whole("max_signatures"),
                        # threads: 1e15 let every upload run at once (no 503 ever)
                        concurrent=whole("max_concurrent", maximum=MAX_THREADS))
        return cls(limits=limits, trust_roots=tuple(r.strip() for r in roots),
                   max_bytes=whole("max_upload_bytes", maximum=MAX_BODY_BYTES, unit="bytes"),
                   fetch_revocation=bool(section.values.get("fetch_revocation", False)),
                   attempts=whole("attempts"),
                   window_seconds=whole("window_seconds", maximum=MAX_SECONDS, unit="seconds"),
                   lookups=whole("lookups"), failed_lookups=whole("failed_lookups"),
                   reports=whole("reports"), reports_window_seconds=whole("reports_window_seconds", maximum=MAX_SECONDS,
                                                                          unit="seconds"))


def revocation_client(settings: Settings, verify: VerifySettings) -> Outbound | None:
    """The guarded client revocation information is fetched through (`[verify]
    fetch_revocation`), under the deployment's `[outbound]` policy; None when nothing is fetched."""
    if not verify.fetch_revocation:
        return None
    from infra.outbound import Outbound, policy_from

    return Outbound(policy_from(settings, settings.issuer))


class Names(Protocol):
    """The one thing verification asks of the directory (`signing.service.Directory`): the
    reader of agencies' names the identity provider hands over (`clients.registry.agency_names`),
    called in verification's own read transaction, so that nothing of `idp` runs."""

    @property
    def agency_names(self) -> AgencyNames: ...


class Originals(Protocol):
    """What verification reads of the document service (`signing.service.DocumentService`):
    agencies' names and the stored originals."""

    @property
    def directory(self) -> Names: ...

    @property
    def store(self) -> DocumentStore: ...


class VerificationService:
    """Verification for one app: `verify(data)`, `by_code(code)`, `original(code)`."""

    def __init__(self, *, settings: Settings, database: Database, key_service: KeyService,
                 documents: Originals) -> None:
        self.settings = VerifySettings.load(settings)
        self.data_dir = Path(settings.data_dir)
        self.raw_settings = settings
        self.database = database
        self.keys = key_service
        self.documents = documents
        self.verifier = Verifier(trust=TrustStore(self.settings.trust_roots),
                                 evidence=self.evidence, clock=key_service.now,
                                 max_bytes=self.settings.max_bytes,
                                 fetch_revocation=self.settings.fetch_revocation,
                                 limits=self.settings.limits,
                                 expectations=expectations(settings),
                                 outbound=revocation_client(settings, self.settings))

    def evidence(self, now: datetime) -> Evidence:
        """The own root, CA/TSA/OCSP certificates and current CRLs (none before `pki init`)."""
        return replace(pki_evidence(self.keys.pki, now), own_status=own_status(self.keys))

    def agency_name(self, session: Any) -> Callable[[str], str | None]:
        """The agency's registered name (None if it is no longer registered), read in `session`."""
        names = self.documents.directory.agency_names
        return lambda client_id: names(session, (client_id,), None).get(client_id)

    @property
    def max_bytes(self) -> int:
        """The largest file accepted, in bytes (`[verify] max_upload_bytes`)."""
        return self.verifier.max_bytes

    def verify(self, data: bytes) -> VerificationReport:
        """The report for an uploaded PDF, with the issued document it is, if any, and the
        citizen-signed document it is, if any (a citizen may sign an issued document)."""
        report = self.verifier.verify(data)
        with self.database.read() as session:
            document = lookup.find_by_content(session, data=data, signed_ends=report.signed_ends,
                                              agency_name=self.agency_name(session),
                                              originals=self.stored)
            signed = lookup.find_citizen_signed_by_content(session, data=data,
                                                           signed_ends=report.signed_ends)
        return report.with_document(document).with_citizen_signed(signed)

    def by_code(self, code: str) -> IssuedDocument | CitizenSignedDocument:
        """`InvalidCode` (mistyped) or `IssuedDocumentNotFound` (unknown) or the document."""
        with self.database.read() as session:
            return lookup.find_by_code(session, code=code, agency_name=self.agency_name(session))

    def stored(self, sha256: str) -> bytes | None:
        """The stored PDF with this SHA-256, None if there is none."""
        from signing.store import DocumentNotStored

        try:
            return self.documents.store.read(sha256)
        except DocumentNotStored:
            return None

    def original(self, document: IssuedDocument | CitizenSignedDocument) -> bytes:
        """The stored PDF of a document, byte for byte."""
        return self.documents.store.read(document.sha256)

    def report_for(self, document: IssuedDocument | CitizenSignedDocument) -> VerificationReport:
        """The report of the stored original, with the document's current status."""
        return self.verifier.verify(self.original(document)).with_found(document)



def pki_evidence(pki: Pki, now: datetime) -> Evidence:
    """The own root, CA/TSA/OCSP certificates and current CRLs (none before `pki init`)."""
    from keys.errors import PkiNotInitialised

    try:
        material = pki.material()
        crls = tuple(asn1_crl.CertificateList.load(pki.crl(name, now))
                     for name in ("root", "issuing"))
    except PkiNotInitialised:
        return Evidence()
    return Evidence(roots=(material.root.certificate,),
                    certificates=(material.issuing.certificate, material.tsa.certificate,
                                  material.ocsp.certificate),
                    crls=crls)


def own_status(keys: KeyService) -> OwnStatus:
    """`Evidence.own_status` from this service's own OCSP responder (`keys.status_after`).

    Only for a certificate whose issuer, on the validated path, is this service's issuing CA
    certificate itself: the responder answers by serial number, and a foreign certificate may
    carry one of ours."""
    from keys import status_after
    from keys.errors import KeyStoreError

    def status(certificate: asn1_x509.Certificate, issuer: asn1_x509.Certificate,
               not_before: datetime) -> asn1_ocsp.OCSPResponse | None:
        try:
            if issuer.sha256 != keys.pki.material().issuing.certificate.sha256:
                return None
            return status_after(keys, certificates=(certificate,), not_before=not_before)
        except KeyStoreError as exc:
            log.warning("own OCSP status unavailable for verification", extra={"error": str(exc)})
            return None

    return status


def expectations(settings: Settings) -> Expectations:
    """This deployment's WebAuthn origin and RP ID (approvals inside citizens' signatures)
    and the minimum level of a citizen's certificate (`documents.minimum_signing_level`)."""
    minimum = str(settings.get("documents", {}).get("minimum_signing_level", "substantial"))
    return Expectations(origin=settings.origin, rp_id=settings.rp_id, minimum_level=minimum)


VERIFICATION: Slot[VerificationService] = Slot("verification service")


def get_verification(app: Flask | None = None) -> VerificationService:
    return VERIFICATION.of(app)
