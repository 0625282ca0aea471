"""Trust anchors for verification: this service's own root CA plus configured extra roots.

Extra roots come from `[verify] trust_roots`: paths of certificate files (PEM, possibly with
several certificates, or DER) or of folders holding them (`*.pem`, `*.crt`, `*.cer`, `*.der`).
They are read once per process; the trust manager is rebuilt only when the own root changes
(e.g. after `cedula pki init` in another process).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from infra.config import ConfigError
from signing.verify.budget import BoundedTrustManager
from signing.verify.errors import VerificationError

SUFFIXES = (".pem", ".crt", ".cer", ".der")


class TrustConfigurationError(VerificationError, ConfigError):
    """A configured trust root cannot be read; the message starts with the setting
    (`verify.trust_roots: ...`), so that a command or `cedula serve` ends with its one line and
    where it was set (`infra.config.refused_setting`), not a traceback."""

    error = "trust_configuration"
    status = 500


@dataclass(frozen=True)
class TrustAnchors:
    certificates: tuple[asn1_x509.Certificate, ...]
    manager: BoundedTrustManager

    def is_own(self, cert: asn1_x509.Certificate, own: Iterable[asn1_x509.Certificate]) -> bool:
        return any(cert.sha256 == o.sha256 for o in own)


def load_certificates(path: Path) -> list[asn1_x509.Certificate]:
    """Every certificate in a PEM or DER file; `TrustConfigurationError` if there is none."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TrustConfigurationError(f"verify.trust_roots: {path} cannot be read: {exc.strerror}") from None
    try:
        if pem.detect(data):
            certs = [asn1_x509.Certificate.load(der) for kind, _, der in pem.unarmor(data, True)
                     if kind == "CERTIFICATE"]
        else:
            certs = [asn1_x509.Certificate.load(data)]
        for cert in certs:
            cert.native  # noqa: B018 - parse fully now, not during a verification
    except (ValueError, TypeError) as exc:
        raise TrustConfigurationError(
            f"verify.trust_roots: {path} is not a PEM or DER X.509 certificate: {exc}") from None
    if not certs:
        raise TrustConfigurationError(f"verify.trust_roots: {path} holds no CERTIFICATE block")
    return certs


def load_roots(paths: Iterable[str]) -> tuple[asn1_x509.Certificate, ...]:
    """The certificates named by `[verify] trust_roots` (files, or folders of files)."""
    found: dict[bytes, asn1_x509.Certificate] = {}
    for entry in paths:
        path = Path(entry).expanduser()
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
        elif path.exists():
            files = [path]
        else:
            raise TrustConfigurationError(f"verify.trust_roots: {path} does not exist")
        for file in files:
            for cert in load_certificates(file):
                found.setdefault(cert.sha256, cert)
    return tuple(found.values())


class TrustStore:
    """Own root + extra roots, with the pyHanko trust manager built once per distinct set."""

    def __init__(self, extra_paths: Iterable[str]) -> None:
        self.extra = load_roots(extra_paths)
        self._lock = threading.Lock()
        self._cached: tuple[tuple[bytes, ...], TrustAnchors] | None = None

    def anchors(self, own: Iterable[asn1_x509.Certificate]) -> TrustAnchors:
        roots = {c.sha256: c for c in (*own, *self.extra)}
        key = tuple(sorted(roots))
        cached = self._cached
        if cached is not None and cached[0] == key:
            return cached[1]
        with self._lock:
            anchors = TrustAnchors(tuple(roots.values()),
                                   BoundedTrustManager(roots.values()))
            self._cached = (key, anchors)
            return anchors
