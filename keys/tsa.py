"""The time-stamping authority (RFC 3161, with ESSCertIDv2 per RFC 5816).

Serial numbers are unique without coordination: 64 bits of nanosecond time followed by 64
random bits (well inside the 160 bits clients must support, RFC 3161, section 2.4.2).

What is the same in every token of one TSA certificate (its name, ESSCertIDv2, signer
identifier, algorithms and the certificates sent on request) is encoded once and kept as DER:
each token loads those pieces as they are. Built from the parsed certificates every time, a
token cost asn1crypto a walk over both certificates at each encoding step (issue 16).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import algos, cms, core, tsp, x509
from cryptography.hazmat.primitives import hashes

from infra.config import ConfigError, read_section
from keys import revoked_ca
from keys.algorithms import HASHES, hash_for
from keys.pki import Pki

MAX_NONCE_BYTES = 32  # RFC 3161 nonces are "large random numbers"; 64 bits is usual


class TimeStampResp(tsp.TimeStampResp):  # type: ignore[misc]  # asn1crypto is untyped
    """TimeStampResp with timeStampToken OPTIONAL, as RFC 3161 (2.4.2) defines it."""

    _fields = [  # noqa: RUF012 - asn1crypto's declaration style
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def unique_serial() -> int:
    return (time.time_ns() << 64) | secrets.randbits(64)


def rejection(fail_info: str, text: str) -> TimeStampResp:
    """A rejection with its PKIFailureInfo (RFC 3161, section 2.4.2)."""
    return TimeStampResp({"status": {"status": "rejection", "status_string": [text],
                                         "fail_info": {fail_info}}})


@dataclass(frozen=True)
class _Pieces:
    """The DER of what every token of one TSA certificate (and digest) carries."""

    name: bytes
    content_type: bytes
    signing_certificate: bytes
    sid: bytes
    digest_algorithm: bytes
    signature_algorithm: bytes
    certificates: bytes

    @classmethod
    def of(cls, tsa: Any, issuing: x509.Certificate, sign_digest: str) -> _Pieces:
        certificate = tsa.certificate
        return cls(
            name=x509.GeneralName({"directory_name": certificate.subject}).dump(),
            content_type=cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}).dump(),
            signing_certificate=cms.CMSAttribute({"type": "signing_certificate_v2",
                                                  "values": [_signing_certificate_v2(certificate)]}).dump(),
            sid=cms.SignerIdentifier({"issuer_and_serial_number": {
                "issuer": certificate.issuer, "serial_number": certificate.serial_number}}).dump(),
            digest_algorithm=algos.DigestAlgorithm({"algorithm": sign_digest}).dump(),
            signature_algorithm=tsa.algorithm.signature_algorithm(sign_digest).dump(),
            certificates=cms.CertificateSet([certificate, issuing]).dump(),
        )


class TimeStampAuthority:
    def __init__(self, pki: Pki, settings: Mapping[str, Any]) -> None:
        self.pki = pki
        self._pieces: dict[tuple[bytes, bytes, str], _Pieces] = {}
        self._lock = threading.Lock()
        section = settings["tsa"]
        self.policy = str(section["policy_oid"])
        try:
            core.ObjectIdentifier(self.policy)  # fail early on a bad OID
        except ValueError:
            raise ConfigError(f"tsa.policy_oid must be an object identifier in dotted form (e.g. "
                              f"1.3.6.1.4.1.99999.1.1), got {section['policy_oid']!r}") from None
        self.accuracy_seconds = read_section(settings, "tsa").whole("accuracy_seconds", minimum=1, maximum=3600,
                                                                    unit="seconds")
        self.hash_algorithms = {str(h) for h in section["hash_algorithms"]}
        if not self.hash_algorithms or not self.hash_algorithms <= set(HASHES):
            raise ConfigError(f"tsa.hash_algorithms must list one or more of {', '.join(HASHES)}, "
                              f"got {section['hash_algorithms']!r}")

    def respond_der(self, der: bytes, *, now: datetime) -> bytes:
        """Answer a DER TimeStampReq; malformed input gets badDataFormat, never an exception."""
        try:
            request = tsp.TimeStampReq.load(der, strict=True)
            request.native  # noqa: B018 - parse everything now, not lazily later
        except (ValueError, TypeError, KeyError, OverflowError):
            return bytes(rejection("bad_data_format", "the request is not a DER TimeStampReq").dump())
        try:
            return bytes(self.respond(request, now=now).dump())
        except (ValueError, TypeError, KeyError, OverflowError):
            return bytes(rejection("bad_data_format", "the request has values out of range").dump())

    def respond(self, request: tsp.TimeStampReq, *, now: datetime) -> TimeStampResp:
        """Check the request and grant a TimeStampToken (RFC 3161, sections 2.4.1, 2.4.2)."""
        if request["version"].native != "v1":
            return rejection("bad_request", "only version 1 requests are supported")
        imprint = request["message_imprint"]
        digest = imprint["hash_algorithm"]["algorithm"].native
        if digest not in self.hash_algorithms:
            return rejection("bad_alg", f"hash algorithm {digest} is not accepted; use one of "
                                        f"{', '.join(sorted(self.hash_algorithms))}")
        if len(imprint["hashed_message"].native) != hash_for(digest).digest_size:
            return rejection("bad_data_format", f"the message imprint is not a {digest} digest")
        policy = request["req_policy"].native
        if policy is not None and policy != self.policy:
            return rejection("unaccepted_policy", f"this TSA only issues under policy {self.policy}")
        if request["extensions"].native:  # RFC 3161, 2.4.2: failInfo unacceptedExtension
            return rejection("unaccepted_extension", "request extensions are not supported")
        nonce = request["nonce"].native
        if nonce is not None and not 0 <= nonce < 1 << (8 * MAX_NONCE_BYTES):
            return rejection("bad_data_format", f"the nonce must be a non-negative integer of "
                                                f"at most {MAX_NONCE_BYTES} bytes")
        with self.pki.custody.database.read() as session:  # a token under a revoked CA is worthless
            revoked = revoked_ca.issuing_revocation(session)
        if revoked is not None:
            return rejection("system_failure", revoked)
        self.pki.renew_services(now)  # a TSA certificate about to expire is replaced first
        material = self.pki.material()
        tsa = material.tsa
        sign_digest = tsa.algorithm.hash
        pieces = self.pieces(tsa, material.issuing.certificate, sign_digest)
        info = {
            "version": "v1",
            "policy": self.policy,
            "message_imprint": imprint,
            "serial_number": unique_serial(),
            "gen_time": now.replace(microsecond=0),
            "accuracy": {"seconds": self.accuracy_seconds},
            "tsa": x509.GeneralName.load(pieces.name),
        }
        if request["nonce"].native is not None:
            info["nonce"] = request["nonce"].native
        tst_der = tsp.TSTInfo(info).dump()
        h = hashes.Hash(hash_for(sign_digest))
        h.update(tst_der)
        signed_attrs = cms.CMSAttributes([
            cms.CMSAttribute.load(pieces.content_type),
            {"type": "signing_time", "values": [_signing_time(now)]},
            {"type": "message_digest", "values": [h.finalize()]},
            cms.CMSAttribute.load(pieces.signing_certificate),
        ])
        signature = self.pki.custody.sign(tsa.key, signed_attrs.dump(), hash_name=sign_digest)
        signer_info = {
            "version": "v1",
            "sid": cms.SignerIdentifier.load(pieces.sid),
            "digest_algorithm": algos.DigestAlgorithm.load(pieces.digest_algorithm),
            "signed_attrs": signed_attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm.load(pieces.signature_algorithm),
            "signature": signature,
        }
        signed_data = {
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm.load(pieces.digest_algorithm)],
            "encap_content_info": {"content_type": "tst_info",
                                   "content": core.ParsableOctetString(tst_der)},
            "signer_infos": [signer_info],
        }
        if request["cert_req"].native:  # RFC 3161, 2.4.1: certificates only when asked
            signed_data["certificates"] = cms.CertificateSet.load(pieces.certificates)
        # Encoded, then loaded as it is: wrapping the parsed structure in the explicitly
        # tagged ContentInfo would copy every node of it again.
        token = cms.ContentInfo({"content_type": "signed_data",
                                 "content": cms.SignedData.load(cms.SignedData(signed_data).dump())})
        return TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})


    def pieces(self, tsa: Any, issuing: x509.Certificate, sign_digest: str) -> _Pieces:
        """The encoded pieces for this TSA certificate, issuing CA and digest (made once)."""
        key = (tsa.certificate.sha256, issuing.sha256, sign_digest)
        found = self._pieces.get(key)
        if found is None:
            found = _Pieces.of(tsa, issuing, sign_digest)
            with self._lock:
                if len(self._pieces) >= 16:  # a few certificates over the TSA's life
                    self._pieces.clear()
                self._pieces[key] = found
        return found


def _signing_time(now: datetime) -> cms.Time:
    """UTCTime through 2049, GeneralizedTime from 2050 (RFC 5652, 11.3)."""
    value = now.replace(microsecond=0)
    return cms.Time({"utc_time" if value.year < 2050 else "generalized_time": value})


def _signing_certificate_v2(certificate: x509.Certificate) -> tsp.SigningCertificateV2:
    """ESSCertIDv2 with SHA-256, the default hashAlgorithm left out (RFC 5035, 5.4.1.1)."""
    h = hashes.Hash(hashes.SHA256())
    h.update(certificate.dump())
    return tsp.SigningCertificateV2({"certs": [{
        "cert_hash": h.finalize(),
        "issuer_serial": {"issuer": [x509.GeneralName({"directory_name": certificate.issuer})],
                          "serial_number": certificate.serial_number},
    }]})
