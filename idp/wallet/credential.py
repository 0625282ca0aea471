"""The Credential Endpoint's logic (OpenID4VCI 1.0, section 8): the JWT key proof (Appendix
F.1) checked, then the document issued as an SD-JWT VC bound to the proven key, signed with
the agency's seal, with its place in the agency's status list. Also what is kept when a
document is issued, so that it can be offered later, and the notification endpoint's update.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.citizens.models import Citizen, is_closed, is_frozen
from idp.wallet import nonce, sd_jwt_vc, status_list
from idp.wallet.errors import InvalidNonce, InvalidProof, InvalidSdJwt, NotOffered, WalletError
from idp.wallet.models import CredentialData, IssuedCredential
from idp.wallet.settings import WalletSettings
from idp.webauthn.encoding import passkey_mark
from infra.store import EphemeralStore as Store
from signing.models import Document
from signing.templates import get_template

PROOF_TYP = "openid4vci-proof+jwt"
PROOF_ALGORITHMS = ("ES256", "ES384", "RS256", "PS256")
EVENTS = ("credential_accepted", "credential_failure", "credential_deleted")
MAX_PROOFS = 5


def keep_data(session: Session, *, document_id: str, template: str, client_id: str,
              citizen_id: str, data: Mapping[str, Any]) -> None:
    """Keep an issued document's clean data, in the transaction that issues it
    (`idp.documents.issuing.record_issued`)."""
    session.add(CredentialData(document_id=document_id, template=template, client_id=client_id,
                               citizen_id=uuid.UUID(str(citizen_id)), data=dict(data),
                               created_at=datetime.now(UTC)))


def templates() -> tuple[str, ...]:
    from signing.templates import catalogue

    return tuple(catalogue())


def offerable(session: Session, *, document_id: str, citizen_id: str) -> tuple[Document, CredentialData]:
    """The document and its data, if it is the citizen's, valid and its data was kept, and the
    account is neither closed nor frozen (an offer or a code made before the closure that names
    no passkey, which the closure's deletion of the passkeys would end, is redeemed after it:
    nothing is issued in the account's name)."""
    document = session.get(Document, document_id)
    if document is None or document.subject != str(citizen_id):
        raise NotOffered("no document with this id is yours", status=404)
    citizen = session.get(Citizen, uuid.UUID(str(citizen_id)))
    if citizen is None or is_closed(citizen) or is_frozen(citizen):
        raise NotOffered("the account this document was issued to is closed or on hold", status=404)
    kept = session.get(CredentialData, document_id)
    if kept is None or document.kind != "sealed":
        raise NotOffered("this document was issued before wallet credentials existed, or is "
                         "not an issued document; ask the agency to issue it again")
    if document.status != "valid":
        raise NotOffered("this document was revoked; a revoked document is not offered")
    return document, kept


# key proofs ---------------------------------------------------------------------------


def verify_proof(proof: object, *, store: Store, audience: str, now: datetime,
                 max_age: int, client_id: str | None = None, leeway: int = 30) -> dict[str, Any]:
    """Appendix F.1 and section 8.2.1.1: typ, an asymmetric alg, the key in `jwk` (public),
    the signature by it, `iss` the wallet's client_id when it has one (absent for anonymous
    pre-authorized access), `aud` = the Credential Issuer Identifier, a recent `iat`, and a
    `nonce` this issuer gave out and nobody used yet. Returns the holder's public JWK."""
    if not isinstance(proof, str) or proof.count(".") != 2 or len(proof) > 8192:
        raise InvalidProof("the proof must be a compact JWT")
    try:
        header = sd_jwt_vc.unverified_header(proof)
    except InvalidSdJwt as exc:
        raise InvalidProof(f"proof: {exc.description}") from None
    if header.get("typ") != PROOF_TYP:
        raise InvalidProof(f"the proof's typ must be {PROOF_TYP}, got {header.get('typ')!r}")
    if header.get("alg") not in PROOF_ALGORITHMS:
        raise InvalidProof(f"the proof's alg must be one of {', '.join(PROOF_ALGORITHMS)}, "
                           f"got {header.get('alg')!r}")
    if "jwk" not in header or "kid" in header or "x5c" in header:
        raise InvalidProof("the proof must carry the holder key in its jwk header (and not kid "
                           "or x5c)")
    try:
        key = sd_jwt_vc.import_public_jwk(header["jwk"])
        _, claims = sd_jwt_vc.verify_jws(proof, key, [header["alg"]])
    except InvalidSdJwt as exc:
        raise InvalidProof(f"proof: {exc.description}") from None
    if "iss" in claims and claims["iss"] != client_id:
        raise InvalidProof("the proof's iss must be the wallet's client_id" if client_id else
                           "the proof must not have iss: this token was obtained anonymously "
                           "(pre-authorized code)")
    if claims.get("aud") != audience:
        raise InvalidProof(f"the proof's aud must be {audience!r}, got {claims.get('aud')!r}")
    iat = claims.get("iat")
    current = now.timestamp()
    if not isinstance(iat, int | float) or isinstance(iat, bool) or not (
            current - max_age - leeway <= iat <= current + leeway):
        raise InvalidProof("the proof's iat is missing or not within the last "
                           f"{max_age} seconds")
    if not nonce.take(store, claims.get("nonce")):
        raise InvalidNonce("the proof's nonce is not a c_nonce from the nonce endpoint, "
                           "expired, or was already used; get a new one and sign again")
    return {k: v for k, v in key.as_dict(private=False).items() if k in ("kty", "crv", "x", "y", "n", "e")}


def distinct_keys(keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Section 8.2: each proof in `proofs` binds one credential to one key; two proofs of
    the same key would give several credentials bound to it (linkable copies the holder's
    wallet did not mean to make) and are refused."""
    seen = set()
    for key in keys:
        jkt = thumbprint(key)
        if jkt in seen:
            raise InvalidProof("two proofs are for the same key: send one proof per key")
        seen.add(jkt)
    return keys


def thumbprint(jwk: Mapping[str, Any]) -> str:
    return str(sd_jwt_vc.import_public_jwk(jwk).thumbprint())


# issuing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedVc:
    id: str
    credential: str
    notification_id: str


def claims_for(document: Document, kept: CredentialData, *, agency: str, country: str) -> dict[str, Any]:
    return {**kept.data, "verification_code": document.csv, "issuing_authority": agency,
            "issuing_country": country}


def issue(session: Session, *, settings: WalletSettings, document: Document, kept: CredentialData,
          configuration_id: str, holder_jwk: Mapping[str, Any], agency: str,
          sign: Callable[[Mapping[str, Any], Mapping[str, Any]], str], now: datetime,
          passkey: str | None = None) -> IssuedVc:
    """One SD-JWT VC for `document`, in the caller's transaction (the status index and the
    credential row commit together). `passkey`: the offer's (base64url credential ID), kept as
    its mark so that deleting that passkey revokes the credential (`revoke_made_with`)."""
    template = get_template(kept.template)
    metadata = sd_jwt_vc.type_metadata(settings.issuer, template.name, template.schema)
    list_id, index = status_list.allocate(session, client_id=kept.client_id,
                                          size=settings.status_list_size, now=now)
    issued_at = int(now.timestamp())
    expires = now + timedelta(days=settings.credential_days)
    issued = sd_jwt_vc.issue(
        sign=sign, issuer=settings.credential_issuer, type_id=metadata["vct"],
        claims=claims_for(document, kept, agency=agency, country=settings.country),
        always=sd_jwt_vc.always_shown(metadata), holder_jwk=holder_jwk,
        status=status_list.reference(settings.issuer, list_id, index),
        issued_at=issued_at, expires_at=int(expires.timestamp()))
    row = IssuedCredential(
        id=secrets.token_hex(16), document_id=document.id, configuration_id=configuration_id,
        status_list_id=list_id, status_index=index, holder_jkt=thumbprint(holder_jwk),
        issued_at=now, expires_at=expires, notification_id=secrets.token_urlsafe(24),
        passkey=passkey_mark(passkey) if passkey else None)
    session.add(row)
    return IssuedVc(row.id, issued.sd_jwt, row.notification_id)


def revoke_made_with(session: Session, *, passkeys: Iterable[str], now: datetime) -> int:
    """Revoke, in the caller's transaction, the credentials taken with these passkeys (base64url
    credential IDs, deleted: a lost or stolen device's). Whoever held the device took them into
    a wallet bound to a key of their own; each turns invalid in its status list (draft-ietf-
    oauth-status-list section 7.1). How many were valid."""
    marks = [passkey_mark(p) for p in passkeys]
    if not marks:
        return 0
    result = cast("sa.CursorResult[Any]", session.execute(
        sa.update(IssuedCredential)
        .where(IssuedCredential.passkey.in_(marks), IssuedCredential.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False)))
    return int(result.rowcount or 0)


def revoke_of_citizen(session: Session, *, citizen_id: str, now: datetime) -> int:
    """Revoke, in the caller's transaction, every credential issued for this citizen's documents
    (the account closed: the person they present is gone from the provider, while the documents
    themselves stay verifiable). Each turns invalid in its status list (draft-ietf-oauth-status-
    list section 7.1). How many were valid."""
    documents = sa.select(CredentialData.document_id).where(
        CredentialData.citizen_id == uuid.UUID(str(citizen_id)))
    result = cast("sa.CursorResult[Any]", session.execute(
        sa.update(IssuedCredential)
        .where(IssuedCredential.document_id.in_(documents), IssuedCredential.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False)))
    return int(result.rowcount or 0)


def erase_kept_data(session: Session, *, citizen_id: str) -> int:
    """Delete, in the caller's transaction, what was kept of this citizen's documents to offer
    them as credentials (`keep_data`: their template data, personal data): the account was
    closed, nothing is offered from it again (`offerable`). The sealed documents stay. Run after
    `revoke_of_citizen`, which finds the credentials through it. How many documents' data."""
    result = cast("sa.CursorResult[Any]", session.execute(
        sa.delete(CredentialData).where(CredentialData.citizen_id == uuid.UUID(str(citizen_id)))
        .execution_options(synchronize_session=False)))
    return int(result.rowcount or 0)


def notify(session: Session, *, notification_id: object, event: object, document_ids: set[str],
           now: datetime) -> None:
    """Section 11: the wallet says what became of a credential issued with this token."""
    if event not in EVENTS:
        raise WalletError(f"event must be one of {', '.join(EVENTS)}",
                          error="invalid_notification_request")
    row = None
    if isinstance(notification_id, str) and len(notification_id) <= 64:
        row = session.scalars(sa.select(IssuedCredential).where(
            IssuedCredential.notification_id == notification_id)).first()
    if row is None or row.document_id not in document_ids:
        raise WalletError("notification_id is not one this access token was given",
                          error="invalid_notification_id")
    row.wallet_event = str(event)
    row.wallet_event_at = now


def credentials_of(session: Session, document_id: str) -> list[IssuedCredential]:
    return list(session.scalars(sa.select(IssuedCredential)
                                .where(IssuedCredential.document_id == document_id)
                                .order_by(IssuedCredential.issued_at)))
