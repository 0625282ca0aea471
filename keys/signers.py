"""pyHanko adapters for the signing service: signers whose keys stay in custody, an
in-process time stamper, and a validation context with our own revocation information.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterable
from datetime import datetime, timedelta

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from flask import Flask
from pyhanko.sign import attributes
from pyhanko.sign.attributes import SignedAttributeProviderSpec
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.signers import Signer
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from keys.algorithms import algorithm_of_public_key
from keys.errors import KeyStoreError
from keys.keystore.base import KeyRef
from keys.pki import IssuedCertificate
from keys.service import KeyService, get_service

AppOrService = Flask | KeyService | None  # what `get_service` takes


def _inline(service: KeyService) -> bool:
    """Sign in the caller's thread with the software key store: a signature takes well under
    a millisecond there, less than handing it to a worker thread (pyHanko's event loop runs
    one document, nothing waits on it). An HSM's calls go to a worker thread."""
    return getattr(service.custody.store, "backend", "") == "software"


class _EncodedSigningCertificate(tsp.SigningCertificateV2):  # type: ignore[misc]
    """A signing-certificate-v2 value (RFC 5035) parsed from its DER, that encodes as that DER.

    asn1crypto takes a header whose last byte is 0x80 for an indefinite length, so a value
    exactly 128 bytes long (`30 81 80`, as a seal certificate's often is) was encoded again,
    down to the issuer's name, every time the signed attributes were (about 20 per signature).
    """

    def dump(self, force: bool = False) -> bytes:
        if self._header is not None and not self._is_mutated():
            return bytes(self._header + self._contents + self._trailer)  # DER as parsed
        return bytes(super().dump(force))


class _PreparedSigningCertificate(attributes.SigningCertificateV2Provider):
    """The signing-certificate-v2 attribute encoded once per signer, not once per signature."""

    def __init__(self, signing_cert: asn1_x509.Certificate) -> None:
        super().__init__(signing_cert)
        self._der = as_signing_certificate_v2(signing_cert).dump()

    async def build_attr_value(self, dry_run: bool = False) -> tsp.SigningCertificateV2:
        return _EncodedSigningCertificate.load(self._der)  # a fresh object: nothing shared


class _PreparedAttributes(SignedAttributeProviderSpec):
    """pyHanko's signed attributes for a signature, with the signer's prepared
    signing-certificate-v2 attribute in place of one built per signature."""

    def __init__(self, spec: SignedAttributeProviderSpec,
                 prepared: _PreparedSigningCertificate) -> None:
        self._spec = spec
        self._prepared = prepared

    def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str
                              ) -> Iterable[attributes.CMSAttributeProvider]:
        for provider in self._spec.signed_attr_providers(data_digest, digest_algorithm):
            yield (self._prepared if isinstance(provider, attributes.SigningCertificateV2Provider)
                   and provider.signing_cert is self._prepared.signing_cert else provider)


class CustodySigner(Signer):
    """A pyHanko `Signer` whose raw signatures are made by the key store (software or HSM)."""

    def __init__(self, service: KeyService, issued: IssuedCertificate, *,
                 prefer_pss: bool = False) -> None:
        registry = SimpleCertificateStore.from_certs([issued.certificate, *issued.chain])  # type: ignore[no-untyped-call]
        super().__init__(signing_cert=issued.certificate, cert_registry=registry,
                         prefer_pss=prefer_pss, embed_roots=True)
        self._service = service
        self._key: KeyRef = issued.key
        self._algorithm = algorithm_of_public_key(issued.certificate.public_key.dump())
        self._prepared = _PreparedSigningCertificate(issued.certificate)

    def _signed_attr_provider_spec(self, *args, **kwargs) -> SignedAttributeProviderSpec:  # type: ignore[no-untyped-def]
        """pyHanko's choice of signed attributes (PAdES, CAdES or plain CMS), with the
        signing-certificate-v2 attribute prepared once for this signer."""
        return _PreparedAttributes(super()._signed_attr_provider_spec(*args, **kwargs), self._prepared)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        """Raw signature of `data` hashed with `digest_algorithm` (pyHanko Signer contract)."""
        if dry_run:
            return bytes(self._algorithm.signature_bytes)
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        name = mechanism["algorithm"].native
        pss = name == "rsassa_pss"
        if pss:
            digest_algorithm = mechanism["parameters"]["hash_algorithm"]["algorithm"].native
        if _inline(self._service):
            return self._service.custody.sign(self._key, data, hash_name=digest_algorithm, pss=pss)
        return await asyncio.to_thread(self._service.custody.sign, self._key, data,
                                       hash_name=digest_algorithm, pss=pss)


def seal_signer(app_or_service: AppOrService, *, client_id: str) -> CustodySigner:
    """The signer for an agency's electronic seal (its newest valid seal certificate)."""
    service = get_service(app_or_service)
    return CustodySigner(service, service.pki.current_seal(client_id=client_id,
                                                           now=service.now()))


def issue_seal_certificate(app_or_service: AppOrService, *, client_id: str, organization_name: str,
                           organization_identifier: str) -> IssuedCertificate:
    """Issue an agency's seal certificate with a new key in custody (`pki issue-seal`)."""
    service = get_service(app_or_service)
    return service.pki.issue_seal(client_id=client_id, organization_name=organization_name,
                                  organization_identifier=organization_identifier,
                                  now=service.now())


def issue_citizen_certificate(app_or_service: AppOrService, *, given_name: str, surname: str,
                              serial_number: str | None, level: str,
                              lifetime: timedelta | None = None,
                              identified: bool = True) -> IssuedCertificate:
    """A short-lived certificate naming a citizen, with a fresh key in the key store.

    `serial_number`: the ETSI EN 319 412-1 semantic identifier, e.g. "IDCSV-01234567-8"
    (left out at level low, and with `identified=False`: `keys.pki.Pki.issue_citizen`);
    `level`: the level of assurance the certificate policy states.
    """
    service = get_service(app_or_service)
    return service.pki.issue_citizen(given_name=given_name, surname=surname,
                                     serial_number=serial_number, level=level,
                                     now=service.now(), lifetime=lifetime, identified=identified)


def destroy_key(app_or_service: AppOrService, issued: IssuedCertificate) -> None:
    """Destroy the private key of a one-time certificate in the key store, for good."""
    service = get_service(app_or_service)
    service.pki.destroy_key(issued)


def certificate_signer(app_or_service: AppOrService, *, serial: str) -> CustodySigner:
    """A signer for any certificate the PKI issued with a key in custody (e.g. a citizen's)."""
    service = get_service(app_or_service)
    return CustodySigner(service, service.pki.certificate(serial))


class InProcessTimeStamper(TimeStamper):
    """A pyHanko `TimeStamper` answered by our TSA in this process (no HTTP round trip)."""

    def __init__(self, service: KeyService) -> None:
        super().__init__(include_nonce=True)  # type: ignore[no-untyped-call]
        self._service = service

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        if _inline(self._service):
            return self._service.tsa.respond(req, now=self._service.now())
        return await asyncio.to_thread(self._service.tsa.respond, req, now=self._service.now())


def timestamper(app_or_service: AppOrService = None) -> InProcessTimeStamper:
    return InProcessTimeStamper(get_service(app_or_service))


def trust_roots(app_or_service: AppOrService = None) -> list[asn1_x509.Certificate]:
    """The root certificate verifiers must trust."""
    return [get_service(app_or_service).pki.material().root.certificate]


def revocation_info(app_or_service: AppOrService = None, *,
                    certificates: Iterable[asn1_x509.Certificate] = (),
                    crls: tuple[str, ...] = ("root", "issuing")
                    ) -> tuple[list[asn1_ocsp.OCSPResponse], list[asn1_crl.CertificateList]]:
    """Fresh OCSP responses for `certificates` (plus the TSA) and both CRLs. Certificates the
    root issued (the issuing CA) are covered by the root's CRL: the root answers no OCSP, its
    key stays offline."""
    service = get_service(app_or_service)
    material = service.pki.material()
    now = service.now()
    wanted = {c.issuer_serial: c for c in (*certificates, material.tsa.certificate)
              if c.issuer != material.root.certificate.subject}
    responses = []
    for cert in wanted.values():
        issuer = material.issuing
        request = asn1_ocsp.OCSPRequest({"tbs_request": {"request_list": [{"req_cert": {
            "hash_algorithm": {"algorithm": "sha256"},
            "issuer_name_hash": issuer.name_hashes["sha256"],
            "issuer_key_hash": issuer.key_hashes["sha256"],
            "serial_number": cert.serial_number,
        }}]}})
        reply = service.ocsp.respond(request.dump(), now=now)
        if reply.status != "successful":
            raise KeyStoreError(f"no OCSP response for serial {cert.serial_number:x}: "
                                f"{reply.status}")
        responses.append(asn1_ocsp.OCSPResponse.load(reply.der))
    lists = [asn1_crl.CertificateList.load(service.pki.crl(name, now)) for name in crls]
    return responses, lists


def status_after(app_or_service: AppOrService = None, *,
                 certificates: Iterable[asn1_x509.Certificate],
                 not_before: datetime) -> asn1_ocsp.OCSPResponse:
    """One OCSP response about `certificates` (all issued by the issuing CA), produced at or
    after `not_before`: status information that postdates a signature's time-stamp, as ETSI
    EN 319 102-1 (5.2.5.4, "issued after the best signature time") wants it. One request for
    all of them: one responder signature, shared by the documents sealed in the same second."""
    service = get_service(app_or_service)
    issuer = service.pki.material().issuing
    serials = tuple(dict.fromkeys(c.serial_number for c in certificates))
    request = _status_request(issuer.name_hashes["sha256"], issuer.key_hashes["sha256"], serials)
    reply = service.ocsp.respond(request, now=service.now(), not_before=not_before)
    if reply.status != "successful":
        raise KeyStoreError(f"no OCSP response for serials "
                            f"{', '.join(f'{s:x}' for s in serials)}: {reply.status}")
    return asn1_ocsp.OCSPResponse.load(reply.der)


@functools.lru_cache(maxsize=256)
def _status_request(name_hash: bytes, key_hash: bytes, serials: tuple[int, ...]) -> bytes:
    """The DER OCSPRequest about `serials` of one CA, encoded once per signer (asn1crypto
    takes longer to encode it than the responder to answer it)."""
    return bytes(asn1_ocsp.OCSPRequest({"tbs_request": {"request_list": [{"req_cert": {
        "hash_algorithm": {"algorithm": "sha256"},
        "issuer_name_hash": name_hash,
        "issuer_key_hash": key_hash,
        "serial_number": serial,
    }} for serial in serials]}}).dump())


def validation_context(app_or_service: AppOrService = None, *,
                       certificates: Iterable[asn1_x509.Certificate] = (),
                       crls: tuple[str, ...] = ("root", "issuing")) -> ValidationContext:
    """A pyHanko ValidationContext trusting our root, with our OCSP responses and CRLs
    pre-fetched (no network), for embedding revocation info in PAdES B-LT/B-LTA.

    `crls`: which CAs' CRLs to include. Archive time-stamps need only the root's: OCSP
    responses cover the time-stamping authority, the root's CRL the issuing CA; the issuing
    CA's full CRL would say nothing about earlier signers' certificates that expired since.
    """
    service = get_service(app_or_service)
    ocsps, lists = revocation_info(service, certificates=certificates, crls=crls)
    return own_pki_context(service, ocsps=ocsps, crls=lists)


def own_pki_context(service: KeyService, *, ocsps: list[asn1_ocsp.OCSPResponse],
                    crls: list[asn1_crl.CertificateList]) -> ValidationContext:
    """The one context sealing and archive time-stamps validate with: trust in our root, our
    CA, TSA and OCSP certificates, the revocation data given, nothing fetched, hard-fail."""
    material = service.pki.material()
    return ValidationContext(
        trust_roots=[material.root.certificate],
        other_certs=[material.issuing.certificate, material.tsa.certificate,
                     material.ocsp.certificate],
        ocsps=ocsps, crls=crls, allow_fetching=False, revocation_mode="hard-fail",
        moment=service.now(),
    )
