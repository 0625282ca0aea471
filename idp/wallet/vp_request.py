"""Authorization Requests of the OpenID4VP verifier (OpenID4VP 1.0, section 5): a DCQL query
for a PID, `response_mode=direct_post` to Cédula's response URI, a fresh `nonce` and `state`.

The verifier is identified with the `redirect_uri` Client Identifier Prefix (section 5.9.3):
the request is not signed, and `client_id` is the response URI itself, which is also the
audience the wallet's key binding JWT must name. Each request lives in the store for
`wallet.presentation_seconds`, tied to the browser session that asked for it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from idp.wallet import dcql, sd_jwt_vc
from infra.store import EphemeralStore as Store

_REQUEST = "wallet:vp:request:"
PURPOSES = ("proofing", "enrolment", "sign_in")


@dataclass(frozen=True)
class PresentationRequest:
    state: str
    nonce: str
    purpose: str
    citizen_id: str
    client_id: str
    response_uri: str
    query: dict[str, Any]

    def parameters(self) -> dict[str, str]:
        """The Authorization Request parameters (section 5.1), by value."""
        return {
            "client_id": self.client_id,
            "response_type": "vp_token",
            "response_mode": "direct_post",
            "response_uri": self.response_uri,
            "nonce": self.nonce,
            "state": self.state,
            "dcql_query": json.dumps(self.query, separators=(",", ":")),
            "client_metadata": json.dumps({"vp_formats_supported": {"dc+sd-jwt": {
                "sd-jwt_alg_values": list(sd_jwt_vc.ALGORITHMS),
                "kb-jwt_alg_values": list(sd_jwt_vc.HOLDER_ALGORITHMS)}}}, separators=(",", ":")),
        }

    def uri(self) -> str:
        """The link a wallet opens (QR code or same device): `openid4vp://?...`."""
        return "openid4vp://?" + urlencode(self.parameters())


def response_uri(issuer: str) -> str:
    return f"{issuer.rstrip('/')}/wallet/presentations/response"


def create(store: Store, *, issuer: str, purpose: str, citizen_id: str, pid_vct: str,
           ttl: int) -> PresentationRequest:
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}")
    uri = response_uri(issuer)
    request = PresentationRequest(
        state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), purpose=purpose,
        citizen_id=str(citizen_id), client_id=f"redirect_uri:{uri}", response_uri=uri,
        query=dcql.pid_query(pid_vct))
    store.set(_REQUEST + request.state, json.dumps(asdict(request)).encode(), ttl)
    return request


def take(store: Store, state: object) -> PresentationRequest | None:
    """The open request with this `state`, removed: a response is accepted once."""
    if not isinstance(state, str) or not 16 <= len(state) <= 128:
        return None
    raw = store.take(_REQUEST + state)
    return PresentationRequest(**json.loads(raw)) if raw is not None else None
