"""`KeyService`: the one object per app that holds custody, keyring, PKI, OCSP and TSA,
plus the functions other packages call (`sign_jwt`, `verify_jwt`, `jwks`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from infra.components import Slot
from keys import jwt
from keys.custody import Custody
from keys.ocsp import OcspResponder
from keys.pki import Pki
from keys.rotation import Keyring
from keys.tsa import TimeStampAuthority

KEYS: Slot[KeyService] = Slot("key service")


class KeyService:
    """Everything `keys` offers for one app. Thread-safe; build once per process."""

    def __init__(self, settings: Any, database: Any) -> None:
        self.settings = settings
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.custody = Custody(settings=settings, data_dir=settings.data_dir, database=database,
                               clock=lambda: self.clock())
        self.keyring = Keyring(self.custody, settings)
        self.pki = Pki(self.custody, settings, settings.issuer)
        self.ocsp = OcspResponder(self.pki, settings)
        self.tsa = TimeStampAuthority(self.pki, settings)

    def now(self) -> datetime:
        return self.clock()

    def invalidate(self) -> None:
        """Drop every in-memory cache (keys, certificates, OCSP responses)."""
        self.keyring.invalidate()
        self.pki.invalidate()
        self.ocsp.clear()
        self.custody.forget_placement()

    def close(self) -> None:
        self.custody.close()


def get_service(app_or_service: Flask | KeyService | None = None) -> KeyService:
    """The KeyService of an app (default: the current app), or the service itself."""
    if isinstance(app_or_service, KeyService):
        return app_or_service
    return KEYS.of(app_or_service)


def sign_jwt(app_or_service: Flask | KeyService | None, claims: Mapping[str, Any], *,
             alg: str = "ES256", typ: str | None = "JWT",
             headers: Mapping[str, Any] | None = None) -> str:
    """Sign `claims` as a compact JWS with the current `alg` key, `kid` in the header.

    RFC 7519, section 7.1. `exp`, if given, must be within jwks.max_token_seconds.
    """
    service = get_service(app_or_service)
    return jwt.sign(service.keyring, claims, alg=alg, typ=typ, headers=headers, now=service.now())


def verify_jwt(token: str, *, algorithms: Collection[str],
               app: Flask | KeyService | None = None, issuer: str | None = None,
               audience: str | None = None, typ: str | None = None, leeway: int = 30,
               require: Collection[str] = ("exp",)) -> jwt.VerifiedJwt:
    """Verify a JWT signed by this provider (RFC 7519, section 7.2); `InvalidJwt` if not."""
    service = get_service(app)
    return jwt.verify(service.keyring, token, algorithms=algorithms, now=service.now(),
                      issuer=issuer, audience=audience, typ=typ, leeway=leeway, require=require)


def jwks(app_or_service: Flask | KeyService | None = None) -> dict[str, list[dict[str, str]]]:
    """The public JWK Set: current, next and not-yet-removed retired keys (RFC 7517, 5)."""
    service = get_service(app_or_service)
    return service.keyring.jwks(service.now())
