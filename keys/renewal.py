"""Certificates that outlive nothing by surprise: readiness and metrics for the PKI's lifetimes.

The TSA and OCSP responder certificates renew themselves (`Pki.renew_services`); the issuing
CA, the root and the root's CRL need the root key, which stays offline, so they are reported
ahead: `cedula pki status` lists what is due, metrics expose the seconds left and a "due" flag
per certificate (scraped by the operator's alerting), `/readyz` warns (still ready) while one is
within its renewal window and fails once one has actually expired (then documents can no longer
be sealed or verified as valid).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from infra.ops.metrics import REGISTRY
from infra.utc import as_utc
from keys import revoked_ca, succession
from keys.errors import KeyStoreError, PkiNotInitialised
from keys.pki import CA_NAMES, SERVICE_NAMES, Pki

WATCHED = (*CA_NAMES, *SERVICE_NAMES)


class PkiExpired(KeyStoreError):
    """A PKI certificate or the root's CRL has expired: say which and what to run."""


def lifetimes(pki: Pki) -> dict[str, datetime]:
    """When each PKI certificate (and the root's CRL, as "root_crl") runs out."""
    material = pki.material()
    found = {name: as_utc(getattr(material, name).certificate.not_valid_after)
             for name in WATCHED}
    root_crl = pki.root_crl_next_update()
    if root_crl is not None:
        found["root_crl"] = root_crl
    return found


HOW = {"tsa": "`cedula pki renew tsa`", "ocsp": "`cedula pki renew ocsp`",
       "issuing": "`cedula pki renew issuing` (root key ceremony)",
       "root": "a new root (ceremony, see docs/pki.md)",
       "root_crl": "`cedula pki crl root` (root key ceremony)"}


def remedy(name: str, moments: Mapping[str, datetime]) -> str:
    """What to run for `name` (of `lifetimes`): its own renewal, or its issuer's first while the
    issuer's end caps it (a successor would end on the same day: `keys.succession.capped`)."""
    issuer = succession.ISSUER.get(name)
    if issuer is not None and issuer in moments and moments[issuer] <= moments[name]:
        return f"{HOW[issuer]} first: a successor would end with the {issuer} CA"
    return HOW[name]


def check(pki: Pki, now: Callable[[], datetime]) -> list[str]:
    """Readiness: renew the TSA and OCSP certificates if due, then raise `PkiExpired` once
    something that needs the root key has run out, or the issuing CA is revoked (nothing can
    be issued or sealed: `keys.revoked_ca`); what is within its renewal window
    (`[pki] renew_before_days`) but still valid comes back as warnings (ready, but warned)."""
    try:
        with pki.custody.database.read() as session:
            revoked_ca.refuse_issuing(session, PkiExpired)
        pki.renew_services(now())  # what renews itself does so before it is judged
        moments = lifetimes(pki)
    except PkiNotInitialised:
        return []  # the key store's own check reports a PKI that does not exist yet
    moment_now = now()
    expired = [name for name, moment in moments.items() if moment <= moment_now]
    if expired:
        raise PkiExpired("expired: " + ", ".join(f"{name} (renew with {remedy(name, moments)})"
                                                  for name in expired))
    warnings = []
    for name, moment in sorted(moments.items()):
        window = pki.renewal_window(name if name != "root_crl" else "root")
        if window is not None and moment - moment_now <= window:
            warnings.append(f"{name} expires {moment:%Y-%m-%d %H:%M} UTC: renew with {remedy(name, moments)}")
    return warnings


class _Collector(Collector):
    """cedula_pki_seconds_left{certificate} and cedula_pki_renewal_due{certificate}."""

    def __init__(self) -> None:
        self.source: tuple[Pki, Callable[[], datetime]] | None = None

    @staticmethod
    def _current() -> tuple[Pki, Callable[[], datetime]] | None:
        """The PKI of the app serving this scrape (several apps share one process in tests)."""
        from flask import current_app, has_app_context

        if not has_app_context():
            return None
        from keys.service import get_service

        try:
            service = get_service(current_app)
        except Exception:  # an app without keys: the process-wide source
            return None
        return service.pki, service.now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        left = GaugeMetricFamily("cedula_pki_seconds_left",
                                 "Seconds until a PKI certificate or the root CRL expires",
                                 labels=["certificate"])
        due = GaugeMetricFamily("cedula_pki_renewal_due",
                                "1 when a PKI certificate or the root CRL is within its renewal "
                                "window ([pki] renew_before_days)", labels=["certificate"])
        source = self._current() or self.source
        if source is not None:
            pki, clock = source
            try:
                now = clock()
                moments = lifetimes(pki)
                window = {name: pki.renewal_window(name) for name in moments}
            except Exception:  # a scrape never fails for the PKI's sake
                moments, window = {}, {}
            for name, moment in sorted(moments.items()):
                seconds = (moment - now).total_seconds()
                left.add_metric([name], seconds)
                limit = window.get(name if name != "root_crl" else "root")
                due.add_metric([name], 1.0 if limit is not None and
                               moment - now <= limit else 0.0)
        yield left
        yield due


_COLLECTOR = _Collector()
_REGISTERED = threading.Lock()
_done = False


def expose(pki: Pki, now: Callable[[], datetime]) -> None:
    """Report this PKI's lifetimes in /metrics (one collector per process, the latest app)."""
    global _done
    with _REGISTERED:
        if not _done:
            REGISTRY.register(_COLLECTOR)
            _done = True
    _COLLECTOR.source = (pki, now)
