"""An independent test PKI and signed PDFs, built once per session (as pyHanko's own tests do).

The PKI stands for "another CA" configured as an extra trust root: root and issuing CA, a
signer, a revoked signer, an expired signer, a time-stamping authority, and an unrelated root
with its own signer. CRLs of both CAs are handed to the verifier as known evidence.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject as N
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.ades.api import CAdESSignedAttrSpec
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

NOW = datetime.now(UTC).replace(microsecond=0)
# The CRLs handed to the verifier are issued after the sample signatures' time-stamps (at NOW
# unless a test says otherwise) and before the verifier's clock (NOW + 5 minutes): revocation
# data issued before a signature's time-stamp proves nothing about it
# (`signing.verify.freshness`). These CRLs used to be issued an hour before NOW while the
# time-stamps were taken at the wall-clock time, so every sample passed only by the old rule.
CRLS_ISSUED = NOW + timedelta(minutes=2)


@dataclass(frozen=True)
class Party:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

    @property
    def asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))

    @property
    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(self.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Otra Autoridad"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _issue(cn: str, issuer: Party | None, *, ca: bool, not_before: datetime,
           not_after: datetime, eku=None, serial: int | None = None,
           use_rsa: bool = False, key=None) -> Party:
    if key is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if use_rsa \
            else ec.generate_private_key(ec.SECP256R1())
    subject = _name(cn)
    signing_key = issuer.key if issuer else key
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer.cert.subject if issuer else subject)
               .public_key(key.public_key()).serial_number(serial or x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.KeyUsage(
                   digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=ca,
                   crl_sign=ca, encipher_only=False, decipher_only=False), critical=True))
    if issuer is not None:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer.key.public_key()), critical=False)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return Party(builder.sign(signing_key, hashes.SHA256()), key)


def _crl(ca: Party, revoked: list[tuple[Party, datetime]]) -> asn1_crl.CertificateList:
    builder = (x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject)
               .last_update(CRLS_ISSUED).next_update(NOW + timedelta(days=1))
               .add_extension(x509.CRLNumber(1), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   ca.key.public_key()), critical=False))
    for party, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(party.cert.serial_number)
            .revocation_date(when).build())
    crl = builder.sign(ca.key, hashes.SHA256())
    return asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))


@dataclass(frozen=True)
class Pki:
    root: Party
    issuing: Party
    signer: Party
    revoked: Party
    revoked_at: datetime
    expired: Party
    tsa: Party
    stranger_root: Party
    stranger: Party
    crls: tuple[asn1_crl.CertificateList, ...]


def build_pki() -> Pki:
    long_ago, far = NOW - timedelta(days=3650), NOW + timedelta(days=3650)
    root = _issue("Otra Raíz", None, ca=True, not_before=long_ago, not_after=far)
    issuing = _issue("Otra CA emisora", root, ca=True, not_before=long_ago, not_after=far)
    signer = _issue("Ana López", issuing, ca=False, not_before=NOW - timedelta(days=30),
                    not_after=NOW + timedelta(days=365))
    revoked = _issue("Revocada", issuing, ca=False, not_before=NOW - timedelta(days=30),
                     not_after=NOW + timedelta(days=365))
    expired = _issue("Caducada", issuing, ca=False, not_before=NOW - timedelta(days=60),
                     not_after=NOW - timedelta(days=1))
    tsa = _issue("Otra TSA", issuing, ca=False, not_before=long_ago, not_after=far,
                 eku=[ExtendedKeyUsageOID.TIME_STAMPING], use_rsa=True)  # pyHanko's dummy TSA
    stranger_root = _issue("Raíz desconocida", None, ca=True, not_before=long_ago, not_after=far)
    stranger = _issue("Desconocido", stranger_root, ca=False,
                      not_before=NOW - timedelta(days=30), not_after=NOW + timedelta(days=365))
    revoked_at = NOW - timedelta(days=2)
    crls = (_crl(root, []), _crl(issuing, [(revoked, revoked_at)]))
    return Pki(root, issuing, signer, revoked, revoked_at, expired, tsa, stranger_root,
               stranger, crls)


# PDFs ------------------------------------------------------------------------------------

TEXT = b"BT /F1 18 Tf 72 760 Td (Importe: 100 EUR) Tj ET"


def blank_pdf(*, with_field: bool = False, hidden_content: bool = False,
              encrypt: bool = False, stored_value: str = "", text: str | None = None) -> bytes:
    """One A4 page with a line of text; optionally a text form field, or a second (unused)
    content stream prepared for a shadow attack."""
    writer = PdfFileWriter()
    font = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Font"), N("/Subtype"): N("/Type1"), N("/BaseFont"): N("/Helvetica")}))
    content = writer.add_object(generic.StreamObject(
        stream_data=TEXT if text is None else f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode()))
    page = generic.DictionaryObject({
        N("/Type"): N("/Page"),
        N("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        N("/Resources"): generic.DictionaryObject({N("/Font"): generic.DictionaryObject(
            {N("/F1"): font})}),
        N("/Contents"): content,
    })
    writer.insert_page(page)
    if hidden_content:  # prepared before signing, referenced by nothing yet
        alt = writer.add_object(generic.StreamObject(
            stream_data=b"BT /F1 18 Tf 72 760 Td (Importe: 9999 EUR) Tj ET"))
        writer.root[N("/CedulaTestHidden")] = alt
    if with_field:
        page_ref = writer.root["/Pages"]["/Kids"][0]
        appearance = writer.add_object(generic.StreamObject(
            {N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
             N("/BBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 200, 30)])},
            stream_data=b""))
        widget = writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/FT"): N("/Tx"),
            N("/T"): generic.TextStringObject("Nota"),
            N("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (72, 750, 272, 780)]),
            N("/P"): page_ref, N("/V"): generic.TextStringObject(stored_value),
            N("/AP"): generic.DictionaryObject({N("/N"): appearance}),
        }))
        page_ref.get_object()[N("/Annots")] = generic.ArrayObject([widget])
        writer.root[N("/AcroForm")] = writer.add_object(generic.DictionaryObject({
            N("/Fields"): generic.ArrayObject([widget])}))
    if encrypt:
        writer.encrypt("owner-secret", "user-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def long_pdf(pages: int) -> bytes:
    """A legitimate long document: `pages` pages of text with a TrueType font (its /Widths),
    five links each, the dictionaries in object streams (as most producers write them)."""
    writer = PdfFileWriter(stream_xrefs=True)
    objects = writer.prepare_object_stream()
    widths = writer.add_object(generic.ArrayObject(
        [generic.NumberObject(500 + i % 300) for i in range(224)]), obj_stream=objects)
    font = writer.add_object(generic.DictionaryObject({
        N("/Type"): N("/Font"), N("/Subtype"): N("/TrueType"), N("/BaseFont"): N("/Texto"),
        N("/FirstChar"): generic.NumberObject(32), N("/LastChar"): generic.NumberObject(255),
        N("/Widths"): widths}), obj_stream=objects)
    for number in range(pages):
        lines = b" ".join(b"72 %d Td (Linea %d de la pagina %d del documento) Tj"
                          % (800 - i * 12, i, number) for i in range(60))
        content = generic.StreamObject(stream_data=b"BT /F1 10 Tf " + lines + b" ET")
        content.compress()
        links = generic.ArrayObject(writer.add_object(generic.DictionaryObject({
            N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"),
            N("/Rect"): generic.ArrayObject([generic.NumberObject(n)
                                             for n in (72, 700 - a * 20, 300, 712 - a * 20)]),
            N("/Border"): generic.ArrayObject([generic.NumberObject(0)] * 3),
            N("/A"): generic.DictionaryObject({N("/S"): N("/URI"), N("/URI"): generic.TextStringObject(
                f"https://example.org/{number}/{a}")})}), obj_stream=objects) for a in range(5))
        writer.insert_page(generic.DictionaryObject({
            N("/Type"): N("/Page"),
            N("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
            N("/Resources"): generic.DictionaryObject({N("/Font"): generic.DictionaryObject(
                {N("/F1"): font})}),
            N("/Contents"): writer.add_object(content), N("/Annots"): links}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signer_for(party: Party, pki: Pki, *, chain: tuple[Party, ...] = ()) -> signers.SimpleSigner:
    registry = SimpleCertificateStore.from_certs([p.asn1 for p in (chain or (pki.issuing,))])
    return signers.SimpleSigner(signing_cert=party.asn1, signing_key=party.asn1_key,
                                cert_registry=registry)


def timestamper(pki: Pki, at: datetime | None = None) -> DummyTimeStamper:
    return DummyTimeStamper(tsa_cert=pki.tsa.asn1, tsa_key=pki.tsa.asn1_key,
                            certs_to_embed=SimpleCertificateStore.from_certs([pki.issuing.asn1]),
                            fixed_dt=at or NOW)


def sign(pdf: bytes, signer: signers.Signer, *, stamper=None, content_timestamp: bool = False,
         field: str = "Firma") -> bytes:
    meta = signers.PdfSignatureMetadata(
        field_name=field, subfilter=fields.SigSeedSubFilter.PADES,
        cades_signed_attr_spec=CAdESSignedAttrSpec(timestamp_content=True)
        if content_timestamp else None)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.PdfSigner(meta, signer=signer, timestamper=stamper).sign_pdf(writer).getvalue()


def signer_with_key(pki: Pki, key, cn: str = "Clave débil") -> Party:
    """A signer under the trusted issuing CA whose certificate holds `key`."""
    return _issue(cn, pki.issuing, ca=False, not_before=NOW - timedelta(days=30),
                  not_after=NOW + timedelta(days=365), key=key)


def certificate_bomb(count: int) -> tuple[Party, list[Party]]:
    """A signer under `count` CA certificates that all share one name and omit the authority
    key identifier: every one looks like a possible issuer of every other one, so exhaustive
    path building tries count! orderings."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bomba")])
    cas = []
    for _ in range(count):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(key, hashes.SHA256()))
        cas.append(Party(cert, key))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(_name("Firmante bomba")).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(cas[0].key, hashes.SHA256()))
    return Party(leaf, key), cas
