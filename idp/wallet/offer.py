"""Credential offers (OpenID4VCI 1.0, section 4.1) for a citizen's document, with the
pre-authorized code grant (section 3.5) and a transaction code (section 4.1.1) the citizen
reads on Cédula's page and types into the wallet, and the Token Endpoint's side of that grant
(section 6.1): code and transaction code in, access token out. Codes and tokens live in the
store, hashed; a code is used once, and a few wrong transaction codes withdraw it. Redeeming
a code leaves a replay mark naming the grant it created: the code presented again with its
transaction code voids that grant, and the access token of its first use stops working (RFC
6749 section 4.1.2 in spirit, as for the wallet's authorization code; `revoked`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from idp.wallet.errors import InvalidGrant, InvalidWalletToken
from infra.store import EphemeralStore as Store

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
_CODE = "wallet:preauth:"
_OFFER = "wallet:offer:"
_TOKEN = "wallet:token:"  # noqa: S105 - a store key prefix
_MARK = "wallet:preauth-mark:"  # a redeemed code's replay mark: its grant and transaction code
_VOID = "wallet:grant-void:"  # a grant whose code was presented twice: its tokens are revoked


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Offer:
    id: str
    document_id: str
    configuration_id: str
    code: str
    tx_code: str
    body: dict[str, Any]

    def uri(self, credential_issuer: str) -> str:
        """The same-device link: `openid-credential-offer://?credential_offer_uri=...`."""
        return ("openid-credential-offer://?credential_offer_uri="
                + quote(f"{credential_issuer}/wallet/offers/{self.id}", safe=""))


def create(store: Store, *, credential_issuer: str, authorization_server: str,
           document_id: str, citizen_id: str, configuration_id: str, ttl: int,
           tx_code_length: int, tx_code_attempts: int, issuer_state: str | None = None,
           passkey: str | None = None) -> Offer:
    """A new offer for one document: its JSON body served by reference, the code bound to
    the document, and the transaction code (numeric, shown to the citizen only)."""
    code = secrets.token_urlsafe(32)
    tx_code = "".join(secrets.choice("0123456789") for _ in range(tx_code_length))
    offer_id = secrets.token_urlsafe(24)
    body: dict[str, Any] = {
        "credential_issuer": credential_issuer,
        "credential_configuration_ids": [configuration_id],
        "grants": {PRE_AUTHORIZED: {
            "pre-authorized_code": code,
            "tx_code": {"input_mode": "numeric", "length": tx_code_length,
                        "description": "Código que ves en Cédula junto al QR / "
                                       "The code shown in Cédula next to the QR code"},
            "authorization_server": authorization_server,
        }},
    }
    if issuer_state is not None:  # the authorization code flow, for wallets that prefer it
        body["grants"]["authorization_code"] = {"issuer_state": issuer_state,
                                                "authorization_server": authorization_server}
    grant = {"document_id": document_id, "citizen_id": citizen_id,
             "configuration_id": configuration_id, "tx_code": _hash(tx_code),
             "attempts": tx_code_attempts, "offer_id": offer_id,
             "expires_at": time.time() + ttl, "passkey": passkey}
    grant_id = secrets.token_urlsafe(16)
    grant["grant_id"], grant["mark"] = grant_id, f"{grant_id}.{grant['tx_code']}"
    store.set(_CODE + _hash(code), json.dumps(grant).encode(), ttl)
    store.set(_OFFER + offer_id, json.dumps(body).encode(), ttl)
    return Offer(offer_id, document_id, configuration_id, code, tx_code, body)


def body(store: Store, offer_id: str) -> dict[str, Any] | None:
    """The offer a `credential_offer_uri` names (section 4.1.3), while its code is usable."""
    if not isinstance(offer_id, str) or len(offer_id) > 64:
        return None
    raw = store.get(_OFFER + offer_id)
    return json.loads(raw) if raw is not None else None


@dataclass(frozen=True)
class Grant:
    document_id: str
    citizen_id: str
    configuration_id: str
    client_id: str | None = None  # the wallet's client (authorization code flow); None: anonymous
    passkey: str | None = None
    """The passkey (base64url credential ID) that checked the session which made the offer or
    gave the code: the grant holds only while the account still has it, unblocked."""
    grant_id: str | None = None
    """The grant of the code (authorization code or pre-authorized code): revoked when that
    code is presented twice (`revoked`)."""


def redeem(store: Store, *, code: str | None, tx_code: str | None, ttl: int, replay_ttl: float) -> Grant:
    """Section 6.1: the grant of a pre-authorized code, taken once. A wrong transaction code
    puts the code back with one attempt fewer, until the offer's own expiry (a wrong guess
    never lengthens its life); at none left, the offer is gone. Once the code is used or
    withdrawn, the offer it was served in (which carries the code) is withdrawn too. Taking
    the code with its transaction code leaves a mark (for `replay_ttl`, at least an access
    token's life): the code presented again with that transaction code voids the grant (one
    who only saw the QR code revokes nothing)."""
    if not code:
        raise InvalidGrant("pre-authorized_code is required")
    key, mark_key = _CODE + _hash(code), _MARK + _hash(code)
    raw = store.take_and_mark(key, mark_key, "mark", replay_ttl)
    if raw is None:
        _replayed(store, store.get(mark_key), tx_code, replay_ttl)
        raise InvalidGrant("the pre-authorized code is unknown, expired or already used")
    grant = json.loads(raw)
    if not tx_code or not hmac.compare_digest(_hash(tx_code), grant["tx_code"]):
        store.delete(mark_key)  # not redeemed: nothing for a replay to void
        grant["attempts"] -= 1
        left = float(grant.get("expires_at", time.time() + ttl)) - time.time()
        if grant["attempts"] > 0 and left > 0:
            store.set(key, json.dumps(grant).encode(), left)
            raise InvalidGrant("the transaction code (tx_code) is wrong; type the code shown "
                               f"next to the QR code ({grant['attempts']} attempts left)")
        _withdraw(store, grant)
        if grant["attempts"] > 0:
            raise InvalidGrant("the pre-authorized code is unknown, expired or already used")
        raise InvalidGrant("the transaction code was wrong too many times; ask for a new offer")
    _withdraw(store, grant)
    return Grant(grant["document_id"], grant["citizen_id"], grant["configuration_id"],
                 passkey=grant.get("passkey"), grant_id=grant.get("grant_id"))


def _replayed(store: Store, mark: bytes | None, tx_code: str | None, ttl: float) -> None:
    """A redeemed code presented again with its transaction code: its grant is voided."""
    if mark is None or not tx_code:
        return
    grant_id, _, tx_hash = mark.decode("ascii").partition(".")
    if hmac.compare_digest(_hash(tx_code), tx_hash):
        void(store, grant_id, ttl)
        raise InvalidGrant("the pre-authorized code was used twice; the access token issued with it is "
                           "revoked: ask for a new offer")


def void(store: Store, grant_id: str, ttl: float) -> None:
    """The grant `grant_id`'s code was presented twice: its tokens stop working (`revoked`)."""
    store.set(_VOID + grant_id, b"1", ttl)


def revoked(store: Store, grant: Grant) -> bool:
    """Whether the code `grant` came from (an authorization code, `idp.wallet.authorization`,
    or a pre-authorized code) was presented twice (RFC 6749 section 4.1.2): its tokens are
    revoked. A grant without `grant_id` (a token issued before grants had one) never is."""
    return grant.grant_id is not None and store.get(_VOID + grant.grant_id) is not None


def _withdraw(store: Store, grant: dict[str, Any]) -> None:
    """The offer body of a code that can no longer be used: it carries the code."""
    offer_id = grant.get("offer_id")
    if isinstance(offer_id, str):
        store.delete(_OFFER + offer_id)


def issue_token(store: Store, grant: Grant, *, ttl: int, jkt: str | None = None) -> str:
    """An opaque access token for `grant`, bound to a DPoP key's thumbprint if `jkt` (RFC
    9449 section 5)."""
    token = secrets.token_urlsafe(32)
    store.set(_TOKEN + _hash(token), json.dumps({**grant.__dict__, "jkt": jkt}).encode(), ttl)
    return token


def check_token(store: Store, token: str, *, scheme: str, jkt: str | None) -> Grant:
    """RFC 6750 section 2.1 / RFC 9449 section 7: a token of this token endpoint; a DPoP-bound
    one only under the DPoP scheme with a proof of its key, an unbound one only as Bearer."""
    raw = store.get(_TOKEN + _hash(token))
    if raw is None:
        raise InvalidWalletToken("the access token is unknown or expired")
    record = json.loads(raw)
    bound = record.pop("jkt", None)
    if bound is not None and (scheme != "DPoP" or jkt != bound):
        raise InvalidWalletToken("this access token is DPoP-bound: present it with the DPoP scheme "
                           "and a proof of its key")
    if bound is None and scheme == "DPoP":
        raise InvalidWalletToken("this access token is not DPoP-bound; present it with the Bearer scheme")
    return Grant(**record)
