"""The x5c path validation of issuers (RFC 5280, 6.1): CA constraints, key usage, the leaf."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from idp.wallet import trust

NOW = datetime.now(UTC)

_USAGE = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment",
                        "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
                        "encipher_only", "decipher_only"), False)


def _usage(*allowed: str) -> x509.KeyUsage:
    return x509.KeyUsage(**{**_USAGE, **dict.fromkeys(allowed, True)})


class Node:
    """A certificate and its key, issued by `parent` (self-signed when None)."""

    def __init__(self, name: str, parent: Node | None = None, *, ca: bool | None = True,
                 path_length: int | None = None, usage: x509.KeyUsage | None = None,
                 subject: str | None = None) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "SV"),
                               x509.NameAttribute(NameOID.COMMON_NAME, subject or name)])
        builder = (x509.CertificateBuilder().subject_name(self.name)
                   .issuer_name(parent.name if parent else self.name)
                   .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(NOW - timedelta(days=1))
                   .not_valid_after(NOW + timedelta(days=30)))
        if ca is not None:
            builder = builder.add_extension(
                x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
        if usage is not None:
            builder = builder.add_extension(usage, critical=True)
        self.certificate = builder.sign((parent or self).key, hashes.SHA256())


def _x5c(*nodes: Node) -> list[str]:
    return [base64.b64encode(n.certificate.public_bytes(serialization.Encoding.DER)).decode()
            for n in nodes]


def _refusal(x5c: list[str], anchor: Node) -> str:
    with pytest.raises(trust.UntrustedIssuer) as refused:
        trust.check_chain(x5c, anchors=[anchor.certificate], now=NOW)
    return refused.value.description


def test_a_well_formed_chain_is_trusted():
    root = Node("Root", path_length=1, usage=_usage("key_cert_sign", "crl_sign"))
    intermediate = Node("Intermediate", root, path_length=0, usage=_usage("key_cert_sign"))
    leaf = Node("PID Signer", intermediate, ca=False, usage=_usage("digital_signature"))
    trusted = trust.check_chain(_x5c(leaf, intermediate), anchors=[root.certificate], now=NOW)
    assert trusted.leaf == leaf.certificate and trusted.anchor == root.certificate
    # without keyUsage or basicConstraints on the leaf (both optional for an end entity)
    plain = Node("Plain Signer", intermediate, ca=None)
    assert trust.check_chain(_x5c(plain, intermediate), anchors=[root.certificate], now=NOW)


def test_an_intermediate_beyond_the_anchors_path_length_is_refused():
    root = Node("Root", path_length=0)
    intermediate = Node("Intermediate", root, path_length=0)
    leaf = Node("PID Signer", intermediate, ca=False)
    assert "pathLenConstraint" in _refusal(_x5c(leaf, intermediate), root)


def test_an_intermediate_beyond_an_intermediates_path_length_is_refused():
    root = Node("Root")
    upper = Node("Upper", root, path_length=0)
    lower = Node("Lower", upper)
    leaf = Node("PID Signer", lower, ca=False)
    assert "pathLenConstraint" in _refusal(_x5c(leaf, lower, upper), root)
    # the anchor itself sent at the end of x5c is held to its constraint as well
    capped = Node("Capped Root", path_length=0)
    middle = Node("Middle", capped)
    signer = Node("Signer", middle, ca=False)
    assert "pathLenConstraint" in _refusal(_x5c(signer, middle, capped), capped)


def test_a_self_issued_intermediate_does_not_count_towards_the_path_length():
    """RFC 5280, 6.1.4 (l): a self-issued certificate (key rollover) is not counted."""
    root = Node("Root", path_length=0)
    rollover = Node("Root", root, subject="Root")  # new key, same name: self-issued
    leaf = Node("PID Signer", rollover, ca=False)
    assert trust.check_chain(_x5c(leaf, rollover), anchors=[root.certificate], now=NOW)


def test_a_ca_without_key_cert_sign_cannot_certify():
    root = Node("Root", usage=_usage("digital_signature", "crl_sign"))
    leaf = Node("PID Signer", root, ca=False)
    assert "does not allow signing certificates" in _refusal(_x5c(leaf), root)
    good_root = Node("Good Root")
    intermediate = Node("Intermediate", good_root, usage=_usage("crl_sign"))
    signer = Node("Signer", intermediate, ca=False)
    assert "does not allow signing certificates" in _refusal(_x5c(signer, intermediate), good_root)


def test_a_ca_certificate_as_the_signing_certificate_is_refused():
    root = Node("Root")
    leaf = Node("Sub CA used to sign", root, ca=True)
    assert "is a CA certificate" in _refusal(_x5c(leaf), root)


def test_a_signing_certificate_whose_key_usage_forbids_signatures_is_refused():
    root = Node("Root")
    leaf = Node("PID Signer", root, ca=False, usage=_usage("key_agreement"))
    assert "does not allow digital signatures" in _refusal(_x5c(leaf), root)


def test_a_parent_that_is_not_a_ca_or_signed_nothing_is_refused():
    """Already checked before RFC 5280's constraints were added: kept so."""
    root = Node("Root")
    not_ca = Node("Not a CA", root, ca=False)
    leaf = Node("PID Signer", not_ca, ca=False)
    assert "is not a CA" in _refusal(_x5c(leaf, not_ca), root)
    other = Node("Other")
    stranger = Node("PID Signer", other, ca=False)
    assert "not trusted" in _refusal(_x5c(stranger), root)
