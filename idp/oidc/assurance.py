"""Level of assurance for the OpenID Provider: `acr` (OIDC Core 1.0 section 2), `amr` (RFC 8176)
and step-up (RFC 9470).

A thin adapter over `idp.assurance`: the level of a sign-in is the lower of the citizen's
identity proofing and the strength of the passkey used (`idp.assurance.levels`); this module
maps levels to the configured acr URIs (`oidc.acr_*`), checks what an agency asks for
(`acr_values`, an essential `acr` claim) and, when the sign-in is below it, sends the citizen
to sign in again with a passkey that reaches it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import current_app, redirect
from werkzeug.wrappers import Response as BaseResponse

from idp.assurance import services as assurance_services
from idp.assurance.levels import LEVELS, authenticator_level, rank, sign_in_level
from idp.oidc import claims as claims_module
from idp.oidc import interactions
from idp.oidc.errors import AuthorizationError
from idp.oidc.interactions import Interaction
from idp.sessions import SsoSession
from infra.db import get_db
from infra.invalidation import NO_GENERATION, GenerationCache
from infra.store import EphemeralStore

UNMET = "unmet_authentication_requirements"  # OIDC Core errata set 2, RFC 9470 section 3
# RFC 8176 section 2: methods that show the user was verified on the authenticator.
_USER_VERIFICATION = {"mfa", "pin", "fpt", "face", "iris", "retina", "vbm"}
_POSSESSION = {"hwk", "swk"}


@dataclass(frozen=True)
class Assurance:
    level: str
    acr: str
    amr: tuple[str, ...]


class StepUpRequired(Exception):
    """The sign-in is below what the agency asks for, and the citizen can reach `level`."""

    def __init__(self, level: str) -> None:
        super().__init__(f"the agency asks for level {level}; the citizen must sign in again")
        self.level = level


def assess(*, amr: Iterable[str], acr_uris: Mapping[str, str], proofing: str = "low") -> Assurance:
    """The assurance from `amr` alone (no recorded facts): proofing as given, a passkey with
    user verification at most substantial."""
    methods = tuple(dict.fromkeys(amr))
    verified = bool(set(methods) & _USER_VERIFICATION) and bool(set(methods) & _POSSESSION)
    authenticator = authenticator_level(user_verified=verified, backup_eligible=True,
                                        attestation_trusted=False)
    level = sign_in_level(proofing=proofing, authenticator=authenticator)  # type: ignore[arg-type]
    return Assurance(level=level, acr=acr_uris[level], amr=methods)


def assess_sign_in(sso: SsoSession, *, acr_uris: Mapping[str, str],
                   cache: GenerationCache[Any, Any] | None = None, generation: bytes = b"") -> Assurance:
    """The assurance of this SSO session: the citizen's proofing and the passkey it used (kept
    per process under the cache generation when `cache` is given: a change of the proofing or
    of the passkey, by any process, is seen at once). The level also stands on the FIDO
    metadata (a model it reports compromised gives level low): what is kept is stamped with
    the metadata this process has too, so a newer BLOB is seen at once without any table
    changing (`idp.assurance.services.metadata_revision`)."""
    key = (sso.citizen_id, sso.credential_id, tuple(sso.amr), sso.pid)
    if cache is not None and generation != NO_GENERATION:
        generation = generation + b"+mds:" + assurance_services.metadata_revision()
    found = cache.get(key, generation) if cache is not None else None
    if found is None:
        with get_db(current_app).read() as db:
            found = assurance_services.assess(db, citizen_id=sso.citizen_id,
                                              credential_id=sso.credential_id, amr=sso.amr, pid=sso.pid)
        if cache is not None:
            cache.put(key, found, generation)
    return Assurance(level=found.level, acr=acr_uris[found.level], amr=found.amr)


def _target(requested: Iterable[str], essential: bool, achieved: Assurance,
            acr_uris: Mapping[str, str]) -> str | None:
    """None when met; else the lowest requested level. Unknown values only count when the
    claim is essential (OIDC Core 5.5.1.1); a higher level satisfies a lower one."""
    wanted = list(requested)
    if not wanted:
        return None
    by_uri = {uri: level for level, uri in acr_uris.items()}
    known = [by_uri[value] for value in wanted if value in by_uri]
    if not known:
        if essential:
            raise AuthorizationError(f"none of the requested acr values {' '.join(wanted)} is "
                                     f"offered; this provider has {' '.join(acr_uris.values())}",
                                     error=UNMET)
        return None
    if any(rank(level) <= rank(achieved.level) for level in known):
        return None
    return min(known, key=rank)


def require(*, requested: Iterable[str], essential: bool, achieved: Assurance,
            acr_uris: Mapping[str, str]) -> None:
    """OIDC Core 3.1.2.1 (acr_values) and 5.5.1.1 (essential acr): refuse what is not met."""
    wanted = list(requested)
    if _target(wanted, essential, achieved, acr_uris) is not None:
        raise AuthorizationError(
            f"the sign-in reached {achieved.acr}; the request asks for {' or '.join(wanted)}",
            error=UNMET)


def enforce(interaction: Interaction, *, achieved: Assurance, claims: claims_module.ClaimsRequest,
            acr_uris: Mapping[str, str], reachable: Callable[[str], bool]) -> None:
    """RFC 9470 section 3 / OIDC Core 3.1.2.1: meet `acr_values` and an essential `acr` claim.

    Raises StepUpRequired(level) when the citizen can reach the level with another sign-in
    (`reachable(level)`: identity proofed high enough, a passkey that reaches it),
    AuthorizationError `unmet_authentication_requirements` when they cannot or a step-up
    already failed.
    """
    acr_values, essential = claims_module.essential_acr(claims)
    targets = [t for t in (_target(interaction.request.acr_values, False, achieved, acr_uris),
                           _target(acr_values, essential, achieved, acr_uris)) if t]
    if not targets:
        return
    level = max(targets, key=rank)
    if interaction.step_up is not None:
        raise AuthorizationError(f"the new sign-in reached {achieved.acr}, not the requested "
                                 f"{acr_uris[level]}", error=UNMET)
    if not reachable(level):
        raise AuthorizationError(f"the citizen has no identity proofing and passkey that reach "
                                 f"{acr_uris[level]}", error=UNMET)
    raise StepUpRequired(level)


def reachable_by(citizen_id: str) -> Callable[[str], bool]:
    """Whether the citizen could reach a level with another sign-in (asked only when needed)."""
    def check(level: str) -> bool:
        with get_db(current_app).read() as db:
            return bool(assurance_services.reachable(db, citizen_id=citizen_id, level=level))

    return check


def step_up(store: EphemeralStore, interaction: Interaction, level: str, *, ttl: int) -> BaseResponse:
    """Send the citizen to sign in again with a passkey reaching `step.level` (the login page's
    reauth mode offers only those), then back to this authorization request."""
    interaction = interactions.update(store, interaction, ttl=ttl, login_after=time.time(), step_up=level)
    back = f"/authorize/continue?interaction={interaction.id}"
    response = redirect(f"/login?reauth=1&next={quote(back, safe='/')}&acr={level}", code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


__all__ = ["LEVELS", "UNMET", "Assurance", "StepUpRequired", "assess", "assess_sign_in",
           "enforce", "reachable_by", "require", "step_up"]
