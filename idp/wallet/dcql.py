"""Digital Credentials Query Language (OpenID4VP 1.0, section 6): the query Cédula sends for
a PID, and the check that a verified credential answers it.

The PID claims are those of the EUDI PID Rulebook's SD-JWT VC encoding: family and given
names, date of birth, the national (personal administrative) number and the issuing country.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from idp.wallet.errors import PresentationRejected

CREDENTIAL_ID = "pid"
PID_CLAIMS: tuple[tuple[str, ...], ...] = (
    ("family_name",), ("given_name",), ("birthdate",), ("personal_administrative_number",),
    ("issuing_country",),
)


def pid_query(vct: str) -> dict[str, Any]:
    """Section 6.1: one SD-JWT VC credential of type `vct` with exactly these claims."""
    return {"credentials": [{
        "id": CREDENTIAL_ID,
        "format": "dc+sd-jwt",
        "meta": {"vct_values": [vct]},
        "claims": [{"path": list(path)} for path in PID_CLAIMS],
    }]}


def _at(claims: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = claims
    for step in path:
        if not isinstance(value, Mapping) or step not in value:
            return None
        value = value[step]
    return value


def check(query: Mapping[str, Any], *, credential_id: str, vct: str,
          claims: Mapping[str, Any]) -> dict[str, Any]:
    """Section 6.4: the credential is of a requested type and discloses every requested
    claim (non-empty); the requested claims, by their last path element."""
    wanted = next((c for c in query.get("credentials", []) if c.get("id") == credential_id), None)
    if wanted is None:
        raise PresentationRejected(f"the vp_token answers {credential_id!r}, which the query "
                                   "did not ask for")
    if vct not in wanted.get("meta", {}).get("vct_values", []):
        raise PresentationRejected(f"the credential's vct {vct!r} is not one the query asked for")
    found: dict[str, Any] = {}
    for claim in wanted.get("claims", []):
        path = claim["path"]
        value = _at(claims, path)
        if value in (None, "", [], {}):
            raise PresentationRejected(f"the presentation does not disclose {'.'.join(path)}")
        found[path[-1]] = value
    return found
