"""PAdES baseline signatures (ETSI EN 319 142-1) with pyHanko, keys kept in `keys/` custody.

Levels, each adding to the one before (section 6.3 of EN 319 142-1):
  B-B   the CMS signature with the signing certificate (signed attribute);
  B-T   + a signature time-stamp from our own TSA (in process, no HTTP);
  B-LT  + the full chain, OCSP responses and CRLs in the Document Security Store (DSS);
  B-LTA + a document time-stamp over everything, so the validation data stays provable.

The signature and its time-stamp come first, in the signed revision; the validation data
follows in a revision of its own, with an OCSP response about the signer (and the TSA)
produced at or after the time-stamp, so that a verifier requiring status information issued
after the best signature time (ETSI EN 319 102-1, 5.2.5.4; pyHanko's
`FreshnessReqType.TIME_AFTER_SIGNATURE`) finds it in the file; at B-LTA the document
time-stamp closes that same revision. The signer's certificate is still validated before it
signs (hard-fail, with the revocation data kept), so a revoked certificate signs nothing.

`Sealer` is long-lived (one per app): it keeps each agency's seal signer, the revocation
information the signer is checked against before signing, and the CRLs it embeds, for
`documents.cache_seconds` (the OCSP response embedded is made for each document, or shared by
those time-stamped in the same second), and drops them at once when anything is
revoked in this deployment (one primary-key read per document checks that). It also keeps,
while the PKI stays as it is (another primary-key read): the time stamper (pyHanko keeps the
TSA's certificates and the size-estimate token it got, so a B-LTA document no longer asks the
TSA for a throwaway token), and the space each signer's signature takes at each level, learnt
from the first document, so that later documents skip pyHanko's trial signature (a document
whose signature would not fit is signed again with a fresh estimate).
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_signer import (
    DSSContentSettings,
    PdfTimeStamper,
    SigDSSPlacementPreference,
    TimestampDSSContentSettings,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathError, PathValidationError

import keys
from keys.errors import KeyNotFound, KeyStoreError
from keys.pki import GENERATION, REVOCATION
from signing.errors import SigningError
from signing.pdf_parsing import DECODE_LIMITS
from signing.stamp import SignatureStampStyle
from signing.widget import tag_widget

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
# OCSP responses and CRLs to embed (`keys.revocation_info`).
RevocationData = tuple[list[asn1_ocsp.OCSPResponse], list[asn1_crl.CertificateList]]
# pyHanko's one-pass layout: the validation data in the signature's own revision, collected
# before signing, so that its OCSP responses and CRLs predate the signature time-stamp (a
# verifier wanting status information issued after the signature finds none). Cédula sealed
# this way until 2026-12; it no longer does (`Sealer._sign_and_complete`). Kept as what a
# plain pyHanko user gets (bench/pyhanko_baseline.py) and to build such documents in tests.
DSS_SETTINGS = DSSContentSettings(
    include_vri=False, placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE,
    next_ts_settings=TimestampDSSContentSettings(include_vri=False,
                                                         update_before_ts=True))


class SealError(SigningError):
    """The PDF could not be signed (a broken file, a locked document, a revoked certificate)."""


class SealUnavailable(SigningError):
    """The agency has no valid seal certificate: an operator must issue one."""


@dataclass(frozen=True)
class SignatureField:
    """Where a signature goes: a new field, visible in `box` on `page` (0-based) or invisible."""

    name: str
    description: str
    """The field's accessible name (/TU) and the structure element's /Alt."""
    page: int = 0
    box: tuple[float, float, float, float] | None = None
    stamp: SignatureStampStyle | None = None
    tag: bool = False
    """Add the widget to the structure tree (documents this service rendered)."""


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes
    level: str
    signer_serial: str
    signed_at: datetime


def _whole_points(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """A field's rectangle in whole PDF points, as pyHanko's `SigFieldSpec` takes it."""
    x1, y1, x2, y2 = box
    return round(x1), round(y1), round(x2), round(y2)


def _not_good(response: asn1_ocsp.OCSPResponse, serial: int) -> str | None:
    """None if the OCSP response says `serial` is good; else what it says ("revoked",
    "unknown", or "not answered")."""
    basic = response.basic_ocsp_response
    for single in basic["tbs_response_data"]["responses"] if basic is not None else ():
        if single["cert_id"]["serial_number"].native == serial:
            status: str = single["cert_status"].name
            return None if status == "good" else status
    return "not answered"


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise SealError(f"the PAdES level must be one of {', '.join(LEVELS)}, not {level!r}")
    return level


class Sealer:
    """Signs PDFs through `keys/`: agency seals and citizen signatures. Thread-safe."""

    def __init__(self, service: keys.KeyService, *, cache_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.service = service
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._generation: tuple[tuple[int, str], tuple[int, str]] | None = None
        self._seals: dict[str, tuple[float, keys.CustodySigner]] = {}
        self._revocation: dict[str, tuple[float, RevocationData]] = {}
        self._timestamper: keys.InProcessTimeStamper | None = None
        # (issuer and key type of the signer, level) -> bytes reserved for the signature (hex digits)
        self._reserved: dict[tuple[str, str], int] = {}

    # caches ------------------------------------------------------------------------------

    def _fresh(self) -> None:
        """Forget everything cached if a certificate was revoked, or the PKI changed (a new
        TSA or CA certificate), anywhere since."""
        generation = (self.service.custody.generation(REVOCATION), self.service.custody.generation(GENERATION))
        if generation != self._generation:
            with self._lock:
                self._seals.clear()
                self._revocation.clear()
                self._timestamper = None
                self._reserved.clear()
                self._generation = generation

    def _stamper(self) -> keys.InProcessTimeStamper:
        """One time stamper while the PKI stays as it is (see `_fresh`)."""
        stamper = self._timestamper
        if stamper is None:
            stamper = keys.InProcessTimeStamper(self.service)
            if self._generation is not None:  # kept only when `_fresh` watches the PKI
                self._timestamper = stamper
        return stamper

    def seal_signer(self, client_id: str) -> keys.CustodySigner:
        """The agency's signer (its newest valid seal certificate), reused for a while."""
        now = self.clock()
        cached = self._seals.get(client_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            signer = keys.seal_signer(self.service, client_id=client_id)
        except KeyNotFound as exc:
            raise SealUnavailable(str(exc)) from None
        if self.cache_seconds:
            with self._lock:
                self._seals[client_id] = (now + self.cache_seconds, signer)
        return signer

    def _revocation_info(self, certificate: asn1_x509.Certificate, *, cache: bool
                         ) -> RevocationData:
        key = f"{certificate.serial_number:x}"
        now = self.clock()
        cached = self._revocation.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        info: RevocationData = keys.revocation_info(self.service, certificates=[certificate])
        if cache and self.cache_seconds:
            with self._lock:
                self._revocation[key] = (now + self.cache_seconds, info)
        return info

    def validation_context(self, certificate: asn1_x509.Certificate, *,
                           cache: bool = True) -> ValidationContext:
        """Trust in our root, with our own OCSP responses and CRLs (no network)."""
        ocsps, crls = self._revocation_info(certificate, cache=cache)
        context: ValidationContext = keys.own_pki_context(self.service, ocsps=ocsps, crls=crls)
        return context

    def warm_up(self) -> None:
        """Open the key store and parse the PKI now, so the first document is fast."""
        try:
            self.service.custody.store  # noqa: B018 - opens the store
            self.service.pki.material()
        except KeyStoreError:
            pass  # not initialised yet: the first document will say so

    # signing -----------------------------------------------------------------------------

    def seal(self, pdf: bytes, *, client_id: str, level: str, field: SignatureField,
             reason: str | None = None, location: str | None = None) -> SignedPdf:
        """Seal `pdf` with the agency's seal certificate at PAdES `level`, as a certification
        signature (ISO 32000-1, 12.8.2.2, DocMDP P=2): viewers lock the document, and only
        form filling and further signatures are permitted (Cédula's verifier itself lets
        only signatures, validation data and document time-stamps follow)."""
        self._fresh()
        signer = self.seal_signer(client_id)
        return self._sign(pdf, signer=signer, level=level, field=field, reason=reason,
                          location=location, cache_revocation=True, certify=True)

    def sign(self, pdf: bytes, *, signer: keys.CustodySigner, level: str,
             field: SignatureField, reason: str | None = None, location: str | None = None,
             cache_revocation: bool = False, certify: bool = False) -> SignedPdf:
        """Sign `pdf` with `signer` at PAdES `level` in a new incremental revision.

        Signatures already in the file are kept: only an incremental update is appended.
        What is cached is first checked against the PKI's and revocations' generations (a
        citizen's signature comes here directly, not through `seal`).
        """
        self._fresh()
        return self._sign(pdf, signer=signer, level=level, field=field, reason=reason,
                          location=location, cache_revocation=cache_revocation, certify=certify)

    def _sign(self, pdf: bytes, *, signer: keys.CustodySigner, level: str,
              field: SignatureField, reason: str | None, location: str | None,
              cache_revocation: bool, certify: bool) -> SignedPdf:
        check_level(level)
        rank = LEVELS.index(level)
        certificate = signer.signing_cert
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False, decode_limits=DECODE_LIMITS)
            fields.append_signature_field(writer, fields.SigFieldSpec(
                sig_field_name=field.name, on_page=field.page,
                box=_whole_points(field.box) if field.box else None,
                readable_field_name=field.description))
            if field.tag:
                tag_widget(writer, field_name=field.name, page=field.page, alt=field.description)
            # The signature revision itself is B-T at most: the validation data follows it
            # (`_add_validation_data`). At B-LT and B-LTA the signer's certificate is still
            # validated first (pyHanko's pre-signing check, hard-fail, with the revocation
            # data kept): a revoked or unknown certificate signs nothing.
            meta = signers.PdfSignatureMetadata(
                field_name=field.name, md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES,
                reason=reason, location=location,
                embed_validation_info=False, use_pades_lta=False,
                certify=certify, docmdp_permissions=MDPPerm.FILL_FORMS,
                validation_context=(self.validation_context(certificate, cache=cache_revocation)
                                    if rank >= 2 else None),
            )
            stamper = self._stamper() if rank >= 1 else None
            pdf_signer = signers.PdfSigner(
                # pyHanko's TimeStamper keeps the certificates and size-estimate responses it
                # saw: one per PKI generation (`_stamper`), never across a PKI change.
                meta, signer=signer, timestamper=stamper, stamp_style=field.stamp)
            signed_at = datetime.now(UTC)
            # Signatures by certificates of one issuer, key type and size take the same space,
            # give or take a name's length, well within the margin.
            key = (f"{certificate.issuer.sha256.hex()}:{certificate.public_key.algorithm}:"
                   f"{certificate.public_key.bit_size}", level)
            reserved = self._reserved.get(key)
            try:
                # The coroutine returns the stream, not its bytes: asyncio formats the repr
                # of a finished task's result (the whole file, for bytes) on the way out.
                out = asyncio.run(self._sign_and_complete(
                    pdf_signer, writer, signer=signer, stamper=stamper, rank=rank,
                    reserved=reserved, cache_revocation=cache_revocation)).getvalue()
            except PyHankoSigningError:
                if reserved is None:
                    raise
                # Did not fit (a larger time-stamp token, a longer chain): estimate again.
                self._reserved.pop(key, None)
                return self.sign(pdf, signer=signer, level=level, field=field, reason=reason,
                                 location=location, cache_revocation=cache_revocation, certify=certify)
            if reserved is None:
                self._learn(key, out, field.name)
        except (PathError, PathValidationError, PyHankoSigningError) as exc:
            raise SealError(f"the PDF could not be signed: {exc}") from None
        except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise SealError(f"the PDF could not be signed: it is damaged or uses features "
                            f"that cannot be signed ({type(exc).__name__}: {exc})") from None
        return SignedPdf(pdf=out, level=level,
                         signer_serial=f"{certificate.serial_number:x}", signed_at=signed_at)

    async def _sign_and_complete(self, pdf_signer: signers.PdfSigner,
                                 writer: IncrementalPdfFileWriter, *,
                                 signer: keys.CustodySigner,
                                 stamper: keys.InProcessTimeStamper | None, rank: int,
                                 reserved: int | None, cache_revocation: bool) -> io.BytesIO:
        """Sign (with the signature time-stamp from B-T on), then at B-LT add the validation
        data in a revision of its own, and at B-LTA a document time-stamp in that revision."""
        out: io.BytesIO = await pdf_signer.async_sign_pdf(writer, existing_fields_only=True,
                                                          bytes_reserved=reserved)
        if rank < 2:
            return out
        # The signature time-stamp was made before this moment, its genTime at the latest now
        # (both to the second, from the same clock): status information produced from here on
        # postdates it (ETSI EN 319 102-1, 5.2.5.4).
        stamped_by = self.service.now()
        update = IncrementalPdfFileWriter(out, strict=False, decode_limits=DECODE_LIMITS)
        self._add_validation_data(update, signer, not_before=stamped_by,
                                  cache=cache_revocation)
        if rank >= 3:
            assert stamper is not None
            # The document time-stamp covers the validation data, in the same revision
            # (pyHanko's TOGETHER_WITH_NEXT_TS): everything it needs (the TSA's chain and
            # status) is in the DSS already.
            timestamped: io.BytesIO = await PdfTimeStamper(stamper).async_timestamp_pdf(
                update, "sha256", in_place=True)
            return timestamped
        update.write_in_place()
        return out

    def _add_validation_data(self, update: IncrementalPdfFileWriter,
                             signer: keys.CustodySigner, *, not_before: datetime,
                             cache: bool) -> None:
        """The DSS of a B-LT signature: the signer's chain, the TSA's and the OCSP responder's
        certificates, one OCSP response about the signer and the TSA produced at or after
        `not_before`, and both CRLs (kept: the root's covers the issuing CA)."""
        certificate = signer.signing_cert
        material = self.service.pki.material()
        tsa = material.tsa.certificate
        response = keys.status_after(self.service, certificates=[certificate, tsa],
                                     not_before=not_before)
        refused = _not_good(response, certificate.serial_number)
        if refused is not None:
            raise SealError(f"the signer's certificate is {refused}: the PDF was not signed")
        _ocsps, crls = self._revocation_info(certificate, cache=cache)
        DocumentSecurityStore.supply_dss_in_writer(
            update, None, certs=[*signer.cert_registry, tsa, material.ocsp.certificate,
                                 material.root.certificate],
            ocsps=[response], crls=crls)

    def _learn(self, key: tuple[str, str], signed: bytes, field_name: str) -> None:
        """Remember the space pyHanko reserved for this signer's signature at this level (its
        estimate, with pyHanko's own 50 % margin): the gap in the field's /ByteRange."""
        if self._generation is None:  # only while `_fresh` watches the PKI
            return
        try:
            reader = PdfFileReader(io.BytesIO(signed), strict=False, decode_limits=DECODE_LIMITS)
            found = next(s for s in reader.embedded_signatures if s.field_name == field_name)
            start, first, second, _length = (int(v) for v in found.sig_object["/ByteRange"])
        except (StopIteration, PdfError, KeyError, ValueError, TypeError):
            return
        reserved = second - first - 2  # the hex digits between < and >
        if reserved > 0 and start == 0:
            with self._lock:
                if len(self._reserved) >= 1000:
                    self._reserved.clear()
                self._reserved[key] = reserved
