"""Token Status List (draft-ietf-oauth-status-list): one list per agency, one bit per issued
credential (0 VALID, 1 INVALID), compressed with DEFLATE/ZLIB, published as a JWT signed by
the agency's seal at a public URL.

A credential's bit is derived from its document: when the document is revoked or
superseded (agency API, operator), the next list the agency publishes shows the credential
invalid. There is nothing to keep in step.
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.wallet.errors import InvalidSdJwt
from idp.wallet.models import IssuedCredential, StatusList
from infra import jose
from signing.models import Document

TYP = "statuslist+jwt"
MEDIA_TYPE = "application/statuslist+jwt"
BITS = 1
VALID, INVALID = 0, 1


def encode(size: int, invalid: Iterable[int]) -> str:
    """`lst` (section 4.1): a byte array, bit i of the list at byte i // 8, bit i % 8 (least
    significant first), ZLIB-compressed (RFC 1950) at the highest level, base64url."""
    data = bytearray((size + 7) // 8)
    for index in invalid:
        data[index // 8] |= 1 << (index % 8)
    return jose.b64url(zlib.compress(bytes(data), level=9))


def decode_status(lst: str, index: int, *, bits: int = BITS, limit: int = 16 * 1024 * 1024) -> int:
    """The status at `index` of an encoded list (for verifiers)."""
    if bits not in (1, 2, 4, 8):
        raise InvalidSdJwt("status_list.bits must be 1, 2, 4 or 8")
    decompressor = zlib.decompressobj()
    try:
        data = decompressor.decompress(jose.b64url_decode(lst), limit)
    except ValueError:
        raise InvalidSdJwt("status_list.lst is not unpadded base64url") from None
    except zlib.error:
        raise InvalidSdJwt("status_list.lst is not ZLIB-compressed") from None
    if decompressor.unconsumed_tail:
        raise InvalidSdJwt("the status list is larger than this verifier accepts")
    position = index * bits
    if index < 0 or position // 8 >= len(data):
        raise InvalidSdJwt("the credential's status index is outside the status list")
    return (data[position // 8] >> (position % 8)) & ((1 << bits) - 1)


def uri(issuer: str, list_id: str) -> str:
    return f"{issuer.rstrip('/')}/wallet/status/{list_id}"


def reference(issuer: str, list_id: str, index: int) -> dict[str, Any]:
    """The `status` claim of a credential (section 6.1)."""
    return {"status_list": {"idx": index, "uri": uri(issuer, list_id)}}


def allocate(session: Session, *, client_id: str, size: int, now: datetime) -> tuple[str, int]:
    """A new index in the agency's current list (a new list when it is full), taken under a
    row lock so that two issuances never share an index."""
    current = session.scalars(
        sa.select(StatusList).where(StatusList.client_id == client_id,
                                    StatusList.next_index < StatusList.size)
        .order_by(StatusList.created_at).limit(1).with_for_update()).first()
    if current is None:
        current = StatusList(id=secrets.token_hex(16), client_id=client_id, size=size,
                             next_index=0, created_at=now)
        session.add(current)
        session.flush()
    index = current.next_index
    current.next_index = index + 1
    return current.id, index


@dataclass(frozen=True)
class ListState:
    id: str
    client_id: str
    size: int
    used: int
    invalid: tuple[int, ...]


def state(session: Session, list_id: str) -> ListState | None:
    """The list and the indexes whose document is no longer valid, or that were revoked on
    their own (`idp.wallet.credential.revoke_made_with`)."""
    row = session.get(StatusList, list_id)
    if row is None:
        return None
    invalid = session.scalars(
        sa.select(IssuedCredential.status_index)
        .join(Document, Document.id == IssuedCredential.document_id)
        .where(IssuedCredential.status_list_id == list_id,
               sa.or_(Document.status != "valid", IssuedCredential.revoked_at.is_not(None)))
        .order_by(IssuedCredential.status_index)).all()
    return ListState(row.id, row.client_id, row.size, row.next_index, tuple(invalid))


def credentials_of(session: Session, document_ids: Iterable[str]) -> int:
    """How many credentials were issued for these documents (each is invalid in its list once
    its document is no longer valid)."""
    ids = list(document_ids)
    if not ids:
        return 0
    return int(session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)
                              .where(IssuedCredential.document_id.in_(ids))) or 0)


def payload(issuer: str, listed: ListState, *, now: int, ttl: int, lifetime: int) -> dict[str, Any]:
    """The Status List Token's claims (section 5.1)."""
    return {"sub": uri(issuer, listed.id), "iat": now, "exp": now + lifetime, "ttl": ttl,
            "status_list": {"bits": BITS, "lst": encode(listed.size, listed.invalid)}}


def lists(session: Session, client_id: str | None = None) -> list[StatusList]:
    query = sa.select(StatusList).order_by(StatusList.client_id, StatusList.created_at)
    if client_id:
        query = query.where(StatusList.client_id == client_id)
    return list(session.scalars(query))


MAX_AGE = 24 * 3600
"""Seconds after its `iat` a Status List Token without `exp` is relied on (a verifier's
freshness policy, draft section 8.3 step 4b; Cédula's own lists expire after
`wallet.status_list_seconds`, one day by default). A token with `exp` is relied on until then."""
LEEWAY = 30  # seconds of clock skew tolerated on iat, as on the credential's own dates


def check_token_claims(claims: Mapping[str, Any], *, expected_uri: str, now: float,
                       max_age: int = MAX_AGE) -> Mapping[str, Any]:
    """A Status List Token's claims a verifier relies on (section 8.3): `sub` is the URI the
    credential names, `iat` (required, section 5.1) is not in the future, and the token is
    fresh: before its `exp` when it has one, else at most `max_age` seconds after `iat` (a
    token without `exp` would otherwise be good forever, and a revocation could be hidden by
    replaying an old list)."""
    if claims.get("sub") != expected_uri:
        raise InvalidSdJwt("the status list's sub is not the URI the credential names")
    what = "the status list's "
    iat = jose.numeric_date(claims, "iat", error=InvalidSdJwt, what=what)
    if iat is None:
        raise InvalidSdJwt("the status list has no iat (issued at)")
    if iat > now + LEEWAY:
        raise InvalidSdJwt("the status list's iat is in the future")
    exp = jose.numeric_date(claims, "exp", error=InvalidSdJwt, what=what)
    if exp is not None and now >= exp:
        raise InvalidSdJwt("the status list expired")
    if exp is None and now > iat + max_age:
        raise InvalidSdJwt(f"the status list has no exp and was issued more than {max_age} "
                           "seconds ago: it is too old to rely on")
    status_list = claims.get("status_list")
    if not isinstance(status_list, Mapping) or not isinstance(status_list.get("lst"), str):
        raise InvalidSdJwt("the status list token has no status_list")
    return status_list
