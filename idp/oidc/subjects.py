"""Subject identifiers (OIDC Core 1.0 section 8): pairwise per sector by default, public on request.

A pairwise `sub` is HMAC-SHA256(pairwise key, sector || 0x00 || citizen id), base64url: two
agencies in different sectors cannot correlate a citizen by `sub`, and it is stable for as long
as the provider's secret is. A public `sub` is the citizen's random internal UUID (never the
national ID); only clients an operator allowed get it.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

from infra.jose import b64url


def pairwise(*, key: bytes, sector: str, citizen_id: str) -> str:
    """OIDC Core 1.0 section 8.1: a pairwise pseudonymous identifier for one sector."""
    message = sector.lower().encode("utf-8") + b"\x00" + citizen_id.encode("ascii")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return b64url(digest)


def subject(*, subject_type: Literal["pairwise", "public"] | str, key: bytes, sector: str,
            citizen_id: str) -> str:
    """The `sub` a client of `subject_type` sees for this citizen."""
    if subject_type == "public":
        return citizen_id
    return pairwise(key=key, sector=sector, citizen_id=citizen_id)
