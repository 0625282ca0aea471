"""FIDO Metadata Service (MDS3): the BLOB, its signature and chain, and lookups by authenticator.

FIDO Alliance, "FIDO Metadata Service" v3.0, section 3.2 (metadata BLOB object processing
rules): the BLOB is a JWT whose `x5c` chain must end at the MDS root (GlobalSign Root CA -
R3 for the FIDO Alliance's service); its `no` never goes back; `nextUpdate` says when to
fetch again. Each entry names an authenticator by AAGUID (FIDO2) or by
attestationCertificateKeyIdentifiers (U2F), lists the roots its attestations chain to and
its status reports. Revocation of the BLOB's own signing chain (CRLs) is not checked.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import logging
import textwrap
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from webauthn.helpers import validate_certificate_chain
from webauthn.helpers.exceptions import InvalidCertificateChain

from idp.assurance.amr import single_uv_method
from idp.assurance.errors import MetadataError
from infra.jose import JoseError, Limits, public_key, unverified, verify_compact
from keys.x509 import key_identifier as rfc5280_key_identifier

log = logging.getLogger(__name__)

MAX_BLOB_BYTES = 32 * 1024 * 1024
# MDS3 section 3.1.4 AuthenticatorStatus values that mean the authenticator must not be trusted.
REFUSED_STATUSES = frozenset({
    "REVOKED", "USER_VERIFICATION_BYPASS", "ATTESTATION_KEY_COMPROMISE",
    "USER_KEY_REMOTE_COMPROMISE", "USER_KEY_PHYSICAL_COMPROMISE",
})
BLOB_LIMITS = Limits(header=64 * 1024, payload=MAX_BLOB_BYTES)  # x5c chain; the whole list
# RFC 7518 section 3.1 algorithms a BLOB may be signed with.
BLOB_ALGORITHMS = tuple(f"{family}{bits}" for family in ("RS", "PS", "ES") for bits in (256, 384, 512))
# Numbers the BLOBs a process accepts (every service of it): see `MetadataService.revision`.
_REVISIONS = itertools.count(1)


@dataclass(frozen=True)
class MetadataEntry:
    """One authenticator model (MDS3 section 3.1.1 MetadataBLOBPayloadEntry)."""

    aaguid: str | None
    key_identifiers: tuple[str, ...]
    description: str
    roots: tuple[bytes, ...]  # PEM, from metadataStatement.attestationRootCertificates
    statuses: tuple[str, ...]
    uv_method: str | None

    @property
    def refusal(self) -> str | None:
        """The status report that forbids trusting this authenticator, if any."""
        return next((s for s in self.statuses if s in REFUSED_STATUSES), None)

    @property
    def certified(self) -> bool:
        """Whether a status report says the model passed FIDO authenticator certification
        (MDS3 section 3.1.4: FIDO_CERTIFIED, FIDO_CERTIFIED_L1 ... L3plus). NOT_FIDO_CERTIFIED
        and SELF_ASSERTION_SUBMITTED are the maker's word only."""
        return any(s == "FIDO_CERTIFIED" or s.startswith("FIDO_CERTIFIED_L") for s in self.statuses)


@dataclass(frozen=True)
class MetadataBlob:
    serial: int
    next_update: date
    entries: tuple[MetadataEntry, ...]
    raw: bytes = field(repr=False)
    by_aaguid: Mapping[str, MetadataEntry] = field(repr=False, default_factory=dict)
    by_key_identifier: Mapping[str, MetadataEntry] = field(repr=False, default_factory=dict)
    all_roots: tuple[bytes, ...] = field(repr=False, default=())

    def find(self, *, aaguid: str | None = None,
             key_identifier: str | None = None) -> MetadataEntry | None:
        if aaguid and aaguid != "00000000-0000-0000-0000-000000000000":
            entry = self.by_aaguid.get(aaguid.lower())
            if entry is not None:
                return entry
        if key_identifier:
            return self.by_key_identifier.get(key_identifier.lower())
        return None

    def due(self, now: datetime) -> bool:
        """MDS3 section 3.1.6: fetch a newer BLOB once nextUpdate has come."""
        return now >= datetime(self.next_update.year, self.next_update.month,
                               self.next_update.day, tzinfo=UTC)


def key_identifier(certificate_der: bytes) -> str:
    """attestationCertificateKeyIdentifier: hex SHA-1 of the subjectPublicKey bit string
    (MDS3 section 3.1.1, RFC 5280 section 4.2.1.2 method 1)."""
    cert = x509.load_der_x509_certificate(certificate_der)
    return rfc5280_key_identifier(cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).hex()


def _pem(b64_der: str) -> bytes:
    body = "".join(b64_der.split())
    base64.b64decode(body, validate=True)  # refuse anything that is not base64
    return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(body, 64))
            + "\n-----END CERTIFICATE-----\n").encode()


def _entry(raw: Mapping[str, Any]) -> MetadataEntry | None:
    statement = raw.get("metadataStatement") or {}
    if not isinstance(statement, Mapping):
        raise MetadataError("an entry's metadataStatement is not an object")
    aaguid = raw.get("aaguid") or statement.get("aaguid")
    ids = raw.get("attestationCertificateKeyIdentifiers") or \
        statement.get("attestationCertificateKeyIdentifiers") or []
    if not aaguid and not ids:
        return None  # a UAF authenticator (aaid): not a WebAuthn passkey
    try:
        roots = tuple(_pem(c) for c in statement.get("attestationRootCertificates") or [])
    except (binascii.Error, TypeError, ValueError):
        raise MetadataError(f"entry {aaguid or ids}: attestationRootCertificates are not "
                            "base64 DER certificates") from None
    reports = raw.get("statusReports") or []
    statuses = tuple(str(r.get("status", "")) for r in reports if isinstance(r, Mapping))
    details = statement.get("userVerificationDetails") or []
    methods = [[str(m.get("userVerificationMethod", "")) for m in combo if isinstance(m, Mapping)]
               for combo in details if isinstance(combo, list)]
    return MetadataEntry(aaguid=str(aaguid).lower() if aaguid else None,
                         key_identifiers=tuple(str(i).lower() for i in ids),
                         description=str(statement.get("description") or "")[:200],
                         roots=roots, statuses=statuses, uv_method=single_uv_method(methods))


def parse_blob(raw: bytes, *, root_pem: bytes, now: datetime,
               previous_serial: int | None = None) -> MetadataBlob:
    """Verify and read a metadata BLOB (MDS3 section 3.2); MetadataError says what is wrong."""
    if len(raw) > MAX_BLOB_BYTES:
        raise MetadataError(f"the BLOB is {len(raw)} bytes; at most {MAX_BLOB_BYTES} are read")
    try:
        text = raw.decode("ascii").strip()
        header = unverified(text, limits=BLOB_LIMITS).header  # to find the signer in x5c
    except (UnicodeDecodeError, JoseError):
        raise MetadataError("the BLOB is not a compact JWS (three base64url parts)") from None
    if not isinstance(header.get("alg"), str):
        raise MetadataError("the BLOB header has no alg")
    if "x5u" in header:
        raise MetadataError("BLOBs with an x5u header are not supported; use x5c")
    try:
        chain = [base64.b64decode(c, validate=True) for c in header.get("x5c") or []]
        root = x509.load_pem_x509_certificate(root_pem)
        signer = x509.load_der_x509_certificate(chain[0]) if chain else root
    except (binascii.Error, TypeError, ValueError):
        raise MetadataError("the BLOB's x5c certificates cannot be read") from None
    if chain:
        try:
            validate_certificate_chain(x5c=chain, pem_root_certs_bytes=[root_pem])
        except InvalidCertificateChain as exc:
            cause = exc.__cause__ or exc
            raise MetadataError(f"the BLOB's signing chain does not end at the MDS root "
                                f"{root.subject.rfc4514_string()!r}: {cause}") from None
    if header["alg"] not in BLOB_ALGORITHMS:
        raise MetadataError(f"the BLOB is signed with {header['alg']!r}; expected RS/PS/ES 256, 384 or 512")
    key = public_key(signer.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))
    try:
        verified = verify_compact(text, key, algorithms=[header["alg"]], limits=BLOB_LIMITS)
    except JoseError:
        raise MetadataError("the BLOB signature does not verify") from None
    try:
        payload = json.loads(verified.payload)
        serial = int(payload["no"])
        next_update = date.fromisoformat(str(payload["nextUpdate"]))
        raw_entries = payload["entries"]
        if not isinstance(raw_entries, list):
            raise TypeError
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise MetadataError("the BLOB payload needs no, nextUpdate (YYYY-MM-DD) and entries") from None
    if previous_serial is not None and serial < previous_serial:
        raise MetadataError(f"the BLOB is number {serial}, older than the {previous_serial} "
                            "already loaded (MDS3 section 3.2 step 7)")
    entries = tuple(e for e in (_entry(r) for r in raw_entries if isinstance(r, Mapping)) if e)
    return _index(raw, serial, next_update, entries)


def _index(raw: bytes, serial: int, next_update: date,
           entries: Iterable[MetadataEntry]) -> MetadataBlob:
    entries = tuple(entries)
    by_aaguid = {e.aaguid: e for e in entries if e.aaguid}
    by_key = {k: e for e in entries for k in e.key_identifiers}
    roots = tuple(dict.fromkeys(r for e in entries for r in e.roots))
    return MetadataBlob(serial=serial, next_update=next_update, entries=entries, raw=raw,
                        by_aaguid=by_aaguid, by_key_identifier=by_key, all_roots=roots)


def fetch(source: str, *, timeout: int) -> bytes:
    """The BLOB bytes from a file path or an http(s) URL (at most MAX_BLOB_BYTES)."""
    if source.startswith(("https://", "http://")):
        from infra.outbound import OutboundError, get_outbound

        try:  # the guarded outbound client: public addresses only, one time budget, size cap
            response = get_outbound().get(source, accept="application/jwt, application/octet-stream, */*",
                                          total_seconds=timeout, max_bytes=MAX_BLOB_BYTES)
        except OutboundError as exc:
            raise MetadataError(f"cannot download the BLOB from {source}: {exc.reason} ({exc.detail})") from None
        if response.status != 200:
            raise MetadataError(f"cannot download the BLOB from {source}: it answered {response.status}")
        data = response.body
    else:
        try:
            with open(source, "rb") as handle:
                data = handle.read(MAX_BLOB_BYTES + 1)
        except OSError as exc:
            raise MetadataError(f"cannot read the BLOB file {source}: {exc.strerror}") from None
    if len(data) > MAX_BLOB_BYTES:
        raise MetadataError(f"the BLOB at {source} is larger than {MAX_BLOB_BYTES} bytes")
    return data


# Whether a MetadataService of this process has accepted a BLOB yet: the code exchange reads it
# before looking for a reported passkey model (`idp.oidc.held.at_exchange`): with none held,
# nothing can be reported, and /token skips the look-up (issue 16: +1.6 % instructions).
HELD = [False]


class MetadataService:
    """The current BLOB of this process: read once, verified once, refreshed per nextUpdate.

    The verified BLOB is also kept in `cache` (a file in the data folder, written by
    `cedula mds load` or by a refresh), so workers on a machine share one download; a newer
    cache file is picked up within `CHECK_SECONDS`. `revision` says which BLOB is current, for
    what is kept per process on the strength of it (the level of a sign-in at /authorize).
    """

    CHECK_SECONDS = 60

    def __init__(self, *, source: str, cache: Path, root_pem: bytes, timeout: int,
                 retry_seconds: int) -> None:
        self.source = source
        self.cache = cache
        self.root_pem = root_pem
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self._blob: MetadataBlob | None = None
        self._revision = 0  # of `_blob`: a new number for each BLOB accepted, 0 for none
        self._cache_mtime: float | None = None
        self._checked = datetime.min.replace(tzinfo=UTC)
        self._retry_after = datetime.min.replace(tzinfo=UTC)
        self._lock = threading.Lock()

    def current(self, now: datetime | None = None) -> MetadataBlob | None:
        """The BLOB to trust now, or None when none is configured or loadable."""
        now = now or datetime.now(UTC)
        if self._blob is not None and not self._blob.due(now) and \
                now - self._checked < timedelta(seconds=self.CHECK_SECONDS):
            return self._blob
        with self._lock:
            self._checked = now
            self._read_cache(now)
            if self.source and (self._blob is None or self._blob.due(now)) \
                    and now >= self._retry_after:
                try:
                    self.install(fetch(self.source, timeout=self.timeout), now=now)
                except MetadataError as exc:
                    self._retry_after = now + timedelta(seconds=self.retry_seconds)
                    log.warning("FIDO metadata refresh failed", extra={"error": str(exc)})
            if self._blob is not None and self._blob.due(now):
                log.warning("FIDO metadata is past its nextUpdate",
                            extra={"serial": self._blob.serial,
                                   "next_update": self._blob.next_update.isoformat()})
            return self._blob

    def loaded(self) -> MetadataBlob | None:
        """The BLOB this process holds, as it is: no cache file read, no fetch, no lock (for
        `/token`, which must not wait on either: `idp.assurance.held_level.refused_code`);
        `current` keeps it up to date."""
        return self._blob

    def _read_cache(self, now: datetime) -> None:
        try:
            mtime = self.cache.stat().st_mtime
        except OSError:
            return
        if mtime == self._cache_mtime:
            return
        try:
            blob = parse_blob(self.cache.read_bytes(), root_pem=self.root_pem, now=now,
                              previous_serial=self._blob.serial if self._blob else None)
        except (MetadataError, OSError) as exc:
            log.warning("FIDO metadata cache refused", extra={"error": str(exc)})
        else:
            self._accept(blob)
        self._cache_mtime = mtime

    def _accept(self, blob: MetadataBlob) -> None:
        self._blob = blob
        HELD[0] = True
        self._revision = next(_REVISIONS)

    def revision(self, now: datetime | None = None) -> int:
        """Which BLOB `current` answers with now: a number this process gives each BLOB it
        accepts (a new one even for a BLOB of the same `no`), 0 for none. Read it before what
        is kept on the strength of the BLOB, and keep it with it: a different number later
        means a newer BLOB, whose status reports may have changed (MDS3 section 3.1.4)."""
        self.current(now)
        return self._revision

    def install(self, raw: bytes, *, now: datetime | None = None) -> MetadataBlob:
        """Verify `raw` and make it current (and the cache file); MetadataError if refused."""
        now = now or datetime.now(UTC)
        if self._blob is None:
            self._read_cache(now)
        blob = parse_blob(raw, root_pem=self.root_pem, now=now,
                          previous_serial=self._blob.serial if self._blob else None)
        self.cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.cache.with_suffix(".tmp")
        temporary.write_bytes(raw)
        temporary.replace(self.cache)
        self._cache_mtime = self.cache.stat().st_mtime
        self._accept(blob)
        log.info("FIDO metadata loaded", extra={"serial": blob.serial, "entries": len(blob.entries),
                                                "next_update": blob.next_update.isoformat()})
        return blob


__all__ = ["REFUSED_STATUSES", "MetadataBlob", "MetadataEntry", "MetadataService", "fetch",
           "key_identifier", "parse_blob"]
