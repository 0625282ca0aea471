"""The OCSP responder (RFC 6960): good, revoked (time and reason) or unknown, nonce echoed.

Certificates of the issuing CA are answered by the delegated responder certificate (EKU
OCSPSigning, id-pkix-ocsp-nocheck); the issuing CA certificate itself by the root. Every
request reads the revocation state from the database, so a revocation shows at once;
responses without a nonce are reused for ocsp.cache_seconds while the state is unchanged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from asn1crypto import core, ocsp

from infra.config import MAX_SECONDS, read_section
from keys.crl import REASONS
from keys.pki import Authority, Pki
from keys.x509 import key_identifier

log = logging.getLogger(__name__)
MAX_REQUESTS = 32
MAX_NONCE = 32  # RFC 8954, section 2.1


@dataclass(frozen=True)
class OcspReply:
    der: bytes
    status: str  # the OCSPResponseStatus name
    produced_at: datetime | None = None
    max_age: int = 0  # seconds an HTTP cache may keep it (0: do not cache)
    next_update: datetime | None = None  # of every SingleResponse in it (RFC 5019, 6.2: Expires)


def _error(status: str) -> OcspReply:
    return OcspReply(ocsp.OCSPResponse({"response_status": status}).dump(), status)


def _find_ca(pki: Pki, cert_id: ocsp.CertId) -> Authority | None:
    digest = cert_id["hash_algorithm"]["algorithm"].native
    material = pki.material()
    for ca in (material.issuing, material.root):
        if (ca.name_hashes.get(digest) == cert_id["issuer_name_hash"].native
                and ca.key_hashes.get(digest) == cert_id["issuer_key_hash"].native):
            return ca
    return None


class OcspResponder:
    def __init__(self, pki: Pki, settings: Mapping[str, Any]) -> None:
        self.pki = pki
        section = read_section(settings, "ocsp")
        self.validity = timedelta(seconds=section.whole("validity_seconds", minimum=1, maximum=MAX_SECONDS,
                                                        unit="seconds"))
        cache_seconds = section.whole("cache_seconds", minimum=0, maximum=MAX_SECONDS, unit="seconds")
        # Reused (and cacheable) while at least half its validity is left, never past nextUpdate
        # (RFC 5019, 6.2: max-age ends before nextUpdate).
        self.cache_seconds = min(cache_seconds, int(self.validity.total_seconds()) // 2)
        self._cache: dict[tuple[Any, ...], tuple[datetime, bytes]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def respond(self, der: bytes, *, now: datetime, not_before: datetime | None = None) -> OcspReply:
        """Answer a DER OCSPRequest (RFC 6960, section 4.2); never raises on bad input.

        `not_before`: a response kept from earlier is reused only if it was produced at or after
        this time (to the second, as producedAt is): what a signer needs when its validation data
        must postdate its signature's time-stamp (`keys.signers.status_after`)."""
        try:
            return self._respond(der, now=now, not_before=not_before)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
            log.info("malformed OCSP request", extra={"error": str(exc)})
            return _error("malformed_request")

    def _respond(self, der: bytes, *, now: datetime, not_before: datetime | None) -> OcspReply:
        try:
            request = ocsp.OCSPRequest.load(der, strict=True)
            tbs = request["tbs_request"]
            items = list(tbs["request_list"])
            cert_ids = [item["req_cert"] for item in items]
            serials = [cid["serial_number"].native for cid in cert_ids]
            nonce = None
            seen: set[str] = set()
            for ext in tbs["request_extensions"] or []:
                name = ext["extn_id"].native
                if name in seen:  # RFC 5280, 4.2: an extension appears at most once
                    return _error("malformed_request")
                seen.add(name)
                if name == "nonce":
                    nonce = ext["extn_value"].parsed
                elif ext["critical"].native:  # RFC 6960, 4.4: unknown critical: refuse
                    return _error("malformed_request")
            for item in items:
                for ext in item["single_request_extensions"] or []:
                    if ext["critical"].native:
                        return _error("malformed_request")
            if nonce is not None:
                nonce.native  # noqa: B018 - forces parsing of the nested OCTET STRING
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
            log.info("malformed OCSP request", extra={"error": str(exc)})
            return _error("malformed_request")
        if not items or len(items) > MAX_REQUESTS:
            return _error("malformed_request")
        if nonce is not None and not 1 <= len(nonce.native) <= MAX_NONCE:
            return _error("malformed_request")
        try:
            cas = [_find_ca(self.pki, cid) for cid in cert_ids]
        except (ValueError, TypeError):
            return _error("malformed_request")
        if any(ca is None for ca in cas) or len({ca.name for ca in cas if ca}) != 1:
            return _error("unauthorized")  # not ours, or two CAs in one request
        ca: Authority = cas[0]  # type: ignore[assignment]
        if ca.name == "root":  # the root key stays offline: its CRL answers for the CAs
            return _error("unauthorized")
        self.pki.renew_services(now)  # the delegated responder is short-lived
        statuses = self.pki.statuses(ca.name, serials)
        state = tuple((cid.dump(), self._state(statuses.get(s))) for cid, s in
                      zip(cert_ids, serials, strict=True))
        key = (ca.name, self.pki.material().ocsp.serial, state)  # a new responder: new bodies
        if nonce is None:
            cached = self._cache.get(key)
            if cached and (now - cached[0]).total_seconds() < self.cache_seconds and (
                    not_before is None or cached[0] >= not_before.replace(microsecond=0)):
                return self._reply(cached[1], cached[0], now)
        produced = now.replace(microsecond=0)
        body = self._build(ca, cert_ids, serials, statuses, nonce, produced)
        if nonce is None:
            with self._lock:
                if len(self._cache) > 10000:
                    self._cache.clear()
                self._cache[key] = (produced, body)
            return self._reply(body, produced, now)
        return OcspReply(body, "successful", produced, 0, produced + self.validity)

    def _reply(self, body: bytes, produced: datetime, now: datetime) -> OcspReply:
        left = self.cache_seconds - int((now - produced).total_seconds())
        return OcspReply(body, "successful", produced, max(0, left), produced + self.validity)

    @staticmethod
    def _state(status: Any) -> tuple[Any, ...]:
        if status is None:
            return ("unknown",)
        if status.revoked_at is None:
            return ("good",)
        return ("revoked", status.revoked_at.isoformat(), status.reason,
                status.invalidity_date.isoformat() if status.invalidity_date else None)

    def _build(self, ca: Authority, cert_ids: list[Any], serials: list[int], statuses: Mapping[int, Any],
               nonce: bytes | None, produced: datetime) -> bytes:
        material = self.pki.material()
        responder = material.ocsp if ca.name == "issuing" else ca
        responses = []
        for cert_id, serial in zip(cert_ids, serials, strict=True):
            status = statuses.get(serial)
            if status is None:
                cert_status = ocsp.CertStatus({"unknown": core.Null()})
            elif status.revoked_at is None:
                cert_status = ocsp.CertStatus({"good": core.Null()})
            else:
                info = {"revocation_time": status.revoked_at}
                if status.reason and status.reason != "unspecified":
                    info["revocation_reason"] = REASONS[status.reason]
                cert_status = ocsp.CertStatus({"revoked": info})
            single = {"cert_id": cert_id, "cert_status": cert_status, "this_update": produced,
                      "next_update": produced + self.validity}
            if status is not None and status.revoked_at and status.invalidity_date:
                # a CRL entry extension as a single extension (RFC 6960, 4.4; RFC 5280, 5.3.2)
                single["single_extensions"] = [{"extn_id": "invalidity_date", "critical": False,
                                                "extn_value": status.invalidity_date}]
            responses.append(single)
        data = {  # KeyHash: SHA-1 of the responder's subjectPublicKey (RFC 6960, 4.2.1)
            "responder_id": {"by_key": key_identifier(responder.certificate.public_key.dump())},
            "produced_at": produced,
            "responses": responses,
        }
        if nonce is not None:
            data["response_extensions"] = [{"extn_id": "nonce", "critical": False,
                                            "extn_value": nonce}]
        tbs = ocsp.ResponseData(data)
        signature_algorithm = responder.algorithm.signature_algorithm()
        basic = {
            "tbs_response_data": tbs,
            "signature_algorithm": signature_algorithm,
            "signature": self.pki.custody.sign(responder.key, tbs.dump()),
        }
        if responder is material.ocsp:
            basic["certs"] = [responder.certificate]
        return bytes(ocsp.OCSPResponse({
            "response_status": "successful",
            "response_bytes": {"response_type": "basic_ocsp_response",
                               "response": ocsp.BasicOCSPResponse(basic)},
        }).dump())
