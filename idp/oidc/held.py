"""What the token endpoint says when the level of assurance a grant (or a code) asserts no
longer holds (`idp.assurance.held_level`): at a refresh (`idp.oidc.refresh`) and at the
exchange of a code in flight whose passkey's model the FIDO metadata reported since
(`refuse_reported_code`, called by `idp.oidc.services.exchange_code`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from idp.oidc.errors import InvalidGrant
from infra.db import Database

_AGAIN = "; sign the citizen in again (start a new authorization request)"
# The reasons of `idp.assurance.held_level.refused_refresh` and `refused_code`, as the agency reads them.
LOWERED = {
    "wallet_pid_expired": "the level of assurance of this grant rested on a PID that has since expired" + _AGAIN,
    "wallet_pid_revoked": ("the level of assurance of this grant rested on a PID that its issuer has since "
                           "revoked" + _AGAIN),
    "reported_passkey": ("the passkey this grant was signed in with is of a model the FIDO metadata has since "
                         "reported compromised, which signs in at level low only" + _AGAIN),
}


def refuse_reported_code(database: Database, acr_uris: Mapping[str, str], citizen_id: uuid.UUID, acr: str,
                         passkey: str) -> None:
    """At the exchange of a code issued at `acr` (`acr_uris`: the URI of each level) with the
    passkey `passkey` (its mark): InvalidGrant when the FIDO metadata has reported that
    passkey's model since and the code is above low (`idp.assurance.held_level.refused_code`:
    a metadata update leaves no lowering mark for the codes in flight). The code is spent;
    no grant is made."""
    from idp.assurance.held_level import refused_code

    level = next((name for name, uri in acr_uris.items() if uri == acr), None)
    reason = refused_code(database, citizen_id, level=level, passkey=passkey)
    if reason is not None:
        raise InvalidGrant(LOWERED[reason])


__all__ = ["LOWERED", "refuse_reported_code"]
