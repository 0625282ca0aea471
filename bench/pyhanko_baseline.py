"""The plain-pyHanko baseline for sealing: keys in memory, a `SimpleSigner`, pyHanko's own
in-memory `DummyTimeStamper` (taught ECDSA, below), and revocation information made once.

The PKI mirrors Cédula's shape (EC P-384 root and issuing CA; EC P-256 seal and TSA keys) and
the embedded validation data is the same in kind and number: OCSP responses for the seal
certificate, the TSA certificate and the issuing CA, plus the root's and the issuing CA's CRLs.
(Cédula's OCSP answers come from a delegated responder; here the issuer signs them itself.)
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from asn1crypto import algos, cms, core
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.pades import DSS_SETTINGS, LEVELS
from tests.signing.verify.samples import Party  # a certificate and its key, in both libraries' types


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "SV"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bench"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(name: str, curve: ec.EllipticCurve, now: datetime, issuer: Party | None = None, *,
           ca: bool = False, usage: x509.ObjectIdentifier | None = None) -> Party:
    key = ec.generate_private_key(curve)
    signer_key = issuer.key if issuer else key
    builder = (x509.CertificateBuilder()
               .subject_name(_name(name))
               .issuer_name(issuer.cert.subject if issuer else _name(name))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(days=1))
               .not_valid_after(now + timedelta(days=365))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   signer_key.public_key()), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=usage is None, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=True)
    digest = hashes.SHA384() if isinstance(signer_key.curve, ec.SECP384R1) else hashes.SHA256()
    return Party(cert=builder.sign(signer_key, digest), key=key)


def _crl(issuer: Party, now: datetime) -> asn1_crl.CertificateList:
    crl = (x509.CertificateRevocationListBuilder().issuer_name(issuer.cert.subject)
           .last_update(now - timedelta(minutes=1)).next_update(now + timedelta(days=1))
           .add_extension(x509.CRLNumber(1), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
               issuer.key.public_key()), critical=False)
           .sign(issuer.key, hashes.SHA384()))
    return asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))


def _ocsp(subject: Party, issuer: Party, now: datetime) -> asn1_ocsp.OCSPResponse:
    response = (ocsp.OCSPResponseBuilder()
                .add_response(cert=subject.cert, issuer=issuer.cert, algorithm=hashes.SHA256(),
                              cert_status=ocsp.OCSPCertStatus.GOOD,
                              this_update=now - timedelta(minutes=1),
                              next_update=now + timedelta(hours=1),
                              revocation_time=None, revocation_reason=None)
                .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.cert)
                .sign(issuer.key, hashes.SHA384()))
    return asn1_ocsp.OCSPResponse.load(response.public_bytes(serialization.Encoding.DER))


class EcTimeStamper(DummyTimeStamper):
    """pyHanko's `DummyTimeStamper` (an in-memory TSA, RSA-only as shipped) with an EC key,
    so that the baseline's TSA signs with the same algorithm as Cédula's (ECDSA P-256)."""

    def __init__(self, *, key: ec.EllipticCurvePrivateKey, **kwargs) -> None:
        super().__init__(**kwargs)
        self._ec_key = key

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt: datetime
                       ) -> tuple[bytes, cms.CMSAttributes]:
        """As pyHanko's, with ECDSA where it signs with RSA PKCS#1 v1.5."""
        digest = getattr(hashes, md_algorithm.upper())()
        md = hashes.Hash(digest)
        md.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
            simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
            simple_cms_attribute("message_digest", md.finalize()),
        ])
        return self._ec_key.sign(signed_attrs.dump(), ec.ECDSA(digest)), signed_attrs

    def _build_signed_data(self, tst_info_data: bytes, md_algorithm: str, signature: bytes,
                           signed_attrs: cms.CMSAttributes) -> dict:
        data = super()._build_signed_data(tst_info_data, md_algorithm, signature, signed_attrs)
        data["signer_infos"][0]["signature_algorithm"] = algos.SignedDigestAlgorithm(
            {"algorithm": f"{md_algorithm}_ecdsa"})
        return data


class PlainPyHanko:
    """Seals PDFs the way a pyHanko user would, everything in memory, at any PAdES level."""

    def __init__(self) -> None:
        now = datetime.now(UTC)
        root = _issue("Bench Root CA", ec.SECP384R1(), now, ca=True)
        issuing = _issue("Bench Issuing CA", ec.SECP384R1(), now, root, ca=True)
        seal = _issue("Bench Agency Seal", ec.SECP256R1(), now, issuing)
        tsa = _issue("Bench TSA", ec.SECP256R1(), now, issuing, usage=ExtendedKeyUsageOID.TIME_STAMPING)
        chain = [issuing.asn1, root.asn1]
        self.signer = signers.SimpleSigner(
            signing_cert=seal.asn1, signing_key=seal.asn1_key,
            cert_registry=SimpleCertificateStore.from_certs([seal.asn1, *chain]))
        self._tsa = (tsa.asn1, tsa.asn1_key, SimpleCertificateStore.from_certs([tsa.asn1, *chain]),
                     tsa.key)
        self.root = root.asn1
        self._other_certs = [issuing.asn1, tsa.asn1]
        self._ocsps = [_ocsp(seal, issuing, now), _ocsp(tsa, issuing, now), _ocsp(issuing, root, now)]
        self._crls = [_crl(root, now), _crl(issuing, now)]

    def timestamper(self) -> EcTimeStamper:
        cert, key_info, store, key = self._tsa
        return EcTimeStamper(tsa_cert=cert, tsa_key=key_info, certs_to_embed=store, key=key)

    def validation_context(self) -> ValidationContext:
        return ValidationContext(trust_roots=[self.root], other_certs=self._other_certs,
                                 ocsps=self._ocsps, crls=self._crls, allow_fetching=False,
                                 revocation_mode="hard-fail")

    def seal(self, pdf: bytes, *, level: str, box: tuple[float, float, float, float] | None,
             page: int = 0) -> bytes:
        """One signature in a new visible field, as `signing.pades.Sealer.sign` places it."""
        rank = LEVELS.index(level)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec(
            sig_field_name="Seal", on_page=page, box=tuple(round(v) for v in box) if box else None))
        meta = signers.PdfSignatureMetadata(
            field_name="Seal", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason="Bench", embed_validation_info=rank >= 2, use_pades_lta=rank >= 3,
            dss_settings=DSS_SETTINGS,
            validation_context=self.validation_context() if rank >= 2 else None)
        pdf_signer = signers.PdfSigner(meta, signer=self.signer,
                                       timestamper=self.timestamper() if rank >= 1 else None)
        return pdf_signer.sign_pdf(writer, existing_fields_only=True).getvalue()
