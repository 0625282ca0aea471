"""A test PID issuer (a Member State's PID provider): its CA, and SD-JWT VC PIDs it issues."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from joserfc import jws
from joserfc.jwk import ECKey

from idp.wallet import sd_jwt


def self_signed_ca(name: str, key: ec.EllipticCurvePrivateKey) -> tuple[x509.Certificate, Any]:
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
                         x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


class PidIssuer:
    """A CA and a PID signing certificate under it, issuing PIDs (EUDI PID SD-JWT VC)."""

    def __init__(self, name: str = "PID Provider Test") -> None:
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca, _ = self_signed_ca(name + " CA", self.ca_key)
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
                                     x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(self.ca.subject).public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=90))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.ca_key, hashes.SHA256()))

    @property
    def ca_pem(self) -> bytes:
        return self.ca.public_bytes(serialization.Encoding.PEM)

    def issue(self, *, holder_jwk: dict[str, Any], claims: dict[str, Any],
              vct: str = "urn:eudi:pid:1", status: dict[str, Any] | None = None) -> str:
        payload, disclosures = sd_jwt.make_disclosable(claims)
        now = int(time.time())
        payload.update({"iss": "https://pid.example", "vct": vct, "iat": now,
                        "exp": now + 86400, "cnf": {"jwk": holder_jwk}})
        if status is not None:
            payload["status"] = status
        header = {"alg": "ES256", "typ": "dc+sd-jwt",
                  "x5c": [base64.b64encode(self.certificate.public_bytes(serialization.Encoding.DER)).decode()]}
        pem = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
        token = jws.serialize_compact(header, json.dumps(payload).encode(), ECKey.import_key(pem),
                                      algorithms=["ES256"])
        return sd_jwt.serialize(token, disclosures)


def status_list_token(issuer: PidIssuer, *, uri: str, invalid: list[int], size: int = 64) -> str:
    """A Status List Token signed by the PID issuer (draft-ietf-oauth-status-list, 5.1)."""
    from idp.wallet import status_list

    now = int(time.time())
    payload = {"sub": uri, "iat": now, "exp": now + 3600, "ttl": 300,
               "status_list": {"bits": 1, "lst": status_list.encode(size, invalid)}}
    header = {"alg": "ES256", "typ": "statuslist+jwt",
              "x5c": [base64.b64encode(issuer.certificate.public_bytes(serialization.Encoding.DER)).decode()]}
    pem = issuer.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
    return jws.serialize_compact(header, json.dumps(payload).encode(), ECKey.import_key(pem),
                                 algorithms=["ES256"])
