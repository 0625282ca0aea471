"""Which issuers a verifier trusts: an `x5c` chain (RFC 7515, 4.1.6) checked up to one of a
set of trust anchors, with every certificate in its validity period at the time of checking.

Used twice: by the credential tests' verifier of Cédula's own credentials (anchor: the
document PKI root), and by the OpenID4VP verifier for PIDs (anchors: the trusted PID issuers,
a PEM file managed with `cedula wallet trusted-issuers`).
"""

from __future__ import annotations

import base64
import binascii
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from idp.wallet.errors import InvalidSdJwt

MAX_CHAIN = 5


class UntrustedIssuer(InvalidSdJwt):
    """The issuer's certificate chain does not lead to a trusted anchor."""

    error = "untrusted_issuer"


@dataclass(frozen=True)
class TrustedChain:
    leaf: x509.Certificate
    anchor: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()  # x5c as sent, leaf first

    @property
    def public_key_pem(self) -> bytes:
        return self.leaf.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def countries(certificate: x509.Certificate) -> list[str]:
    """The countryName (C=) values of a certificate's subject (X.520: ISO 3166-1 alpha-2)."""
    return [str(attribute.value)
            for attribute in certificate.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)]


def load_pem_bundle(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM file (an empty list for an empty file)."""
    if not data.strip():
        return []
    try:
        return list(x509.load_pem_x509_certificates(data))
    except ValueError:
        raise ValueError("not a file of PEM certificates (-----BEGIN CERTIFICATE----- ...)") from None


def read_anchors(path: Path) -> list[x509.Certificate]:
    return load_pem_bundle(path.read_bytes()) if path.exists() else []


def write_anchors(path: Path, certificates: Iterable[x509.Certificate]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    unique = {fingerprint(c): c for c in certificates}
    data = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in unique.values())
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def parse_x5c(x5c: object) -> list[x509.Certificate]:
    if not isinstance(x5c, list) or not x5c or len(x5c) > MAX_CHAIN:
        raise InvalidSdJwt(f"x5c must be an array of 1 to {MAX_CHAIN} certificates")
    chain = []
    for item in x5c:
        try:
            chain.append(x509.load_der_x509_certificate(base64.b64decode(item, validate=True)))
        except (TypeError, ValueError, binascii.Error):
            raise InvalidSdJwt("x5c holds something that is not a base64 DER certificate") from None
    return chain


def _valid_at(certificate: x509.Certificate, now: datetime) -> bool:
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc


def check_chain(x5c: object, *, anchors: Sequence[x509.Certificate], now: datetime) -> TrustedChain:
    """The leaf of `x5c` if each certificate is signed by the next and the last is signed by
    (or is) a trust anchor, all valid `now` (RFC 5280, 6.1, without policy processing).

    Also checked (RFC 5280): the leaf signs data, not certificates (cA false or absent,
    keyUsage with digitalSignature when present: 4.2.1.3, 4.2.1.9); every issuer above it,
    the anchor included, is a CA (cA true), has keyCertSign when it has a keyUsage (6.1.4 (k),
    (n)) and has no more non-self-issued intermediates below it than its pathLenConstraint
    (6.1.4 (l), (m)). The anchor's constraints are honoured too, as OpenSSL does (RFC 5937).
    """
    chain = parse_x5c(x5c)
    if not anchors:
        raise UntrustedIssuer("no trusted issuer is configured")
    for certificate in chain:
        if not _valid_at(certificate, now):
            raise UntrustedIssuer(f"the certificate {certificate.subject.rfc4514_string()} is "
                                  "not valid now")
    _check_leaf(chain[0])
    for position, (child, parent) in enumerate(itertools.pairwise(chain), start=1):
        _signed_by(child, parent)
        _check_issuer(parent, below=chain[1:position])
    last = chain[-1]
    refusal: UntrustedIssuer | None = None
    for anchor in anchors:
        if fingerprint(anchor) == fingerprint(last):
            return TrustedChain(chain[0], anchor, tuple(chain))
        if anchor.subject == last.issuer and _valid_at(anchor, now):
            try:
                _signed_by(last, anchor)
            except UntrustedIssuer:
                continue
            try:
                _check_issuer(anchor, below=chain[1:])
            except UntrustedIssuer as exc:  # another anchor with this name and key may do
                refusal = exc
                continue
            return TrustedChain(chain[0], anchor, tuple(chain))
    if refusal is not None:
        raise refusal
    raise UntrustedIssuer(f"the issuer {chain[0].subject.rfc4514_string()} is not trusted: "
                          "its chain leads to none of the trusted issuers' certificates")


def _signed_by(child: x509.Certificate, parent: x509.Certificate) -> None:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        raise UntrustedIssuer(f"{child.subject.rfc4514_string()} is not signed by "
                              f"{parent.subject.rfc4514_string()}") from None


def _check_leaf(leaf: x509.Certificate) -> None:
    """The issuer's signing certificate is an end entity that may sign (RFC 5280, 4.2.1.3)."""
    constraints = _basic_constraints(leaf)
    if constraints is not None and constraints.ca:
        raise UntrustedIssuer(f"{leaf.subject.rfc4514_string()} is a CA certificate: the "
                              "issuer must sign with an end-entity certificate")
    usage = _key_usage(leaf)
    if usage is not None and not usage.digital_signature:
        raise UntrustedIssuer(f"the key usage of {leaf.subject.rfc4514_string()} does not "
                              "allow digital signatures")


def _check_issuer(issuer: x509.Certificate, *, below: Sequence[x509.Certificate]) -> None:
    """`issuer` may certify the chain under it; `below`: the intermediates between it and the
    leaf (RFC 5280, 6.1.4 (k) to (n))."""
    name = issuer.subject.rfc4514_string()
    constraints = _basic_constraints(issuer)
    if constraints is None or not constraints.ca:
        raise UntrustedIssuer(f"{name} is not a CA")
    usage = _key_usage(issuer)
    if usage is not None and not usage.key_cert_sign:
        raise UntrustedIssuer(f"the key usage of {name} does not allow signing certificates")
    counted = sum(1 for certificate in below if certificate.subject != certificate.issuer)
    if constraints.path_length is not None and counted > constraints.path_length:
        raise UntrustedIssuer(f"{name} allows {constraints.path_length} intermediate CA(s) "
                              f"below it (pathLenConstraint), the chain has {counted}")


def _basic_constraints(certificate: x509.Certificate) -> x509.BasicConstraints | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return None


def _key_usage(certificate: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
