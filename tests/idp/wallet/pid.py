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


def _name(common_name: str, country: str | None) -> x509.Name:
    """A subject: C=`country` (none when None) and CN=`common_name`."""
    country_part = [x509.NameAttribute(NameOID.COUNTRY_NAME, country)] if country else []
    return x509.Name([*country_part, x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def self_signed_ca(name: str, key: ec.EllipticCurvePrivateKey, *,
                   country: str | None = "SV") -> tuple[x509.Certificate, Any]:
    subject = _name(name, country)
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


CRL_URL = "https://pid.example/crl/pid-ca.crl"
OCSP_URL = "https://pid.example/ocsp"
STATUS_URI = "https://pid.example/status/1"


class PidIssuer:
    """A CA and a PID signing certificate under it, issuing PIDs (EUDI PID SD-JWT VC).

    The PID certificate names where its revocation status is published: the CA's CRL
    (`crl_url`) and, with `ocsp=True`, the CA's OCSP responder. `serve` answers Cédula's
    revocation fetcher (`Wallet.fetch_revocation`) as those would; `revoked` lists the
    revoked serial numbers, `down` makes every responder unreachable.

    `country` is the provider's country, the countryName (C=) of its CA and of its PID signing
    certificate (None: no countryName); a PID provider speaks only for its own country, so its
    PIDs say `issuing_country` = `country` unless a test says otherwise. `ca_country` gives
    the CA another country than its PID signing certificate.

    Its PIDs carry a `status` reference (entry 0 of its Token Status List at `status_uri`,
    unless a test says otherwise); `serve_status` answers Cédula's status fetcher
    (`Wallet.fetch_status`) with that list, `invalid` naming its revoked entries."""

    def __init__(self, name: str = "PID Provider Test", *, country: str | None = "SV",
                 ca_country: str | None = "", crl_url: str | None = CRL_URL,
                 ocsp: bool = False, status_uri: str = STATUS_URI) -> None:
        self.country = country
        self.crl_url = crl_url
        self.status_uri = status_uri
        self.invalid: set[int] = set()
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca, _ = self_signed_ca(name + " CA", self.ca_key,
                                    country=country if ca_country == "" else ca_country)
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.revoked: set[int] = set()
        self.down = False
        self.fetched: list[str] = []
        now = datetime.now(UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(name, country))
            .issuer_name(self.ca.subject).public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=90))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
        if crl_url:
            builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier(crl_url)], None, None, None)]), critical=False)
        if ocsp:
            builder = builder.add_extension(x509.AuthorityInformationAccess([
                x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.OCSP,
                                       x509.UniformResourceIdentifier(OCSP_URL))]), critical=False)
        self.certificate = builder.sign(self.ca_key, hashes.SHA256())

    def revoke(self) -> None:
        self.revoked.add(self.certificate.serial_number)

    def crl(self, *, next_update: timedelta = timedelta(hours=1)) -> bytes:
        now = datetime.now(UTC)
        builder = (x509.CertificateRevocationListBuilder().issuer_name(self.ca.subject)
                   .last_update(now - timedelta(minutes=5)).next_update(now + next_update))
        for serial in self.revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial)
                .revocation_date(now - timedelta(minutes=1)).build())
        return builder.sign(self.ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def ocsp_response(self, request: bytes) -> bytes:
        from cryptography.x509 import ocsp

        asked = ocsp.load_der_ocsp_request(request)
        assert asked.serial_number == self.certificate.serial_number
        now = datetime.now(UTC)
        revoked = asked.serial_number in self.revoked
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=self.certificate, issuer=self.ca, algorithm=hashes.SHA256(),
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            this_update=now - timedelta(minutes=1), next_update=now + timedelta(hours=1),
            revocation_time=now - timedelta(minutes=1) if revoked else None,
            revocation_reason=None).responder_id(ocsp.OCSPResponderEncoding.HASH, self.ca)
        return builder.sign(self.ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def serve(self, url: str, body: bytes | None) -> bytes:
        """What the PID provider's CRL and OCSP endpoints answer (Wallet.fetch_revocation)."""
        self.fetched.append(url)
        if self.down:
            raise ConnectionError(url)
        if url == self.crl_url and body is None:
            return self.crl()
        if url == OCSP_URL and body is not None:
            return self.ocsp_response(body)
        raise ValueError(f"nothing is published at {url}")

    def serve_status(self, uri: str) -> str:
        """What the PID provider's status list endpoint answers (Wallet.fetch_status)."""
        if uri != self.status_uri:
            raise ValueError(f"nothing is published at {uri}")
        return status_list_token(self, uri=uri, invalid=sorted(self.invalid))

    @property
    def signer(self) -> str:
        """Who signs its PIDs, as Cédula keeps it with a proofing (`vp_response.issuer_key`)."""
        from idp.wallet.trust import TrustedChain
        from idp.wallet.vp_response import issuer_key

        return issuer_key(TrustedChain(leaf=self.certificate, anchor=self.ca))

    @property
    def ca_pem(self) -> bytes:
        return self.ca.public_bytes(serialization.Encoding.PEM)

    def issue(self, *, holder_jwk: dict[str, Any], claims: dict[str, Any],
              vct: str = "urn:eudi:pid:1", status: dict[str, Any] | None = None,
              overrides: dict[str, Any] | None = None, disclosable: tuple[str, ...] = ()) -> str:
        """A PID; `status` is its status reference (None: entry 0 of this provider's list);
        an `overrides` value of None leaves that claim out (`{"status": None}`: a PID without
        one); `disclosable` names payload claims (iss, exp, status, ...) this provider wrongly
        makes selectively disclosable: moved from the payload into disclosures."""
        payload, disclosures = sd_jwt.make_disclosable(claims)
        now = int(time.time())
        payload.update({"iss": "https://pid.example", "vct": vct, "iat": now,
                        "exp": now + 86400, "cnf": {"jwk": holder_jwk},
                        "status": status or {"status_list": {"idx": 0, "uri": self.status_uri}}})
        payload.update(overrides or {})
        for name in [name for name, value in payload.items() if value is None]:
            del payload[name]  # an override of None leaves the claim out
        for name in disclosable:
            disclosure = sd_jwt.Disclosure.make(name, payload.pop(name))
            disclosures.append(disclosure)
            payload["_sd"] = sorted([*payload.get("_sd", []), disclosure.digest])
        header = {"alg": "ES256", "typ": "dc+sd-jwt",
                  "x5c": [base64.b64encode(self.certificate.public_bytes(serialization.Encoding.DER)).decode()]}
        pem = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
        token = jws.serialize_compact(header, json.dumps(payload).encode(), ECKey.import_key(pem),
                                      algorithms=["ES256"])
        return sd_jwt.serialize(token, disclosures)


def status_list_token(issuer: PidIssuer, *, uri: str, invalid: list[int], size: int = 64,
                      claims: dict[str, Any] | None = None, without: tuple[str, ...] = (),
                      signer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None) -> str:
    """A Status List Token signed by the PID issuer (draft-ietf-oauth-status-list, 5.1);
    `claims` replace or add claims, `without` removes some, `signer` (certificate, key) signs
    instead of the issuer's PID signing certificate."""
    from idp.wallet import status_list

    now = int(time.time())
    payload = {"sub": uri, "iat": now, "exp": now + 3600, "ttl": 300,
               "status_list": {"bits": 1, "lst": status_list.encode(size, invalid)}}
    payload.update(claims or {})
    for name in without:
        payload.pop(name, None)
    certificate, key = signer or (issuer.certificate, issuer.key)
    header = {"alg": "ES256", "typ": "statuslist+jwt",
              "x5c": [base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()]}
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return jws.serialize_compact(header, json.dumps(payload).encode(), ECKey.import_key(pem),
                                 algorithms=["ES256"])
