"""Closing an account (the right to erasure, GDPR art. 17, within what must be kept).

In one transaction: every agency's access is withdrawn (consents revoked with receipts,
grants revoked, so every token stops working), the wallet credentials of its documents are
revoked in their status lists and the data kept to offer them is deleted, passkeys, recovery codes and the sign-in
history are deleted, and the personal data on the citizen's row is erased (names, email) or
replaced by a keyed hash
(national ID: HMAC-SHA256 under a provider key, then one of the account, so the same person can
enrol again, and close again, and an operator holding the key can still answer "was this ID
ever enrolled?", `pseudonym_prefix`). The row itself stays,
holding only its random id: issued documents (`signing/`, keyed by that id) stay verifiable, and
the data-sharing log, which never held personal values, stays consistent. Sessions end and
agencies are told (back-channel logout) by the caller after the commit.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp import audit
from idp.account.models import SignIn
from idp.citizens.models import CLOSED_PREFIX, Citizen, Passkey, RecoveryCode, is_closed
from idp.citizens.services import holds_passkey
from idp.consent import services
from idp.consent.errors import AccountClosed, CheckEnded
from idp.consent.issued_grants import IssuedGrants
from idp.consent.receipts import ReceiptSigner
from idp.consent.settings import ConsentPolicy
from idp.wallet.credential import erase_kept_data, revoke_of_citizen

ERASED_DATE = date(1, 1, 1)  # the column is required; 0001-01-01 means "erased"


ID_DIGITS = 40
"""Hex digits of the national ID's keyed hash (160 bits); the rest of the column is the account's."""


def pseudonym_prefix(key: bytes, *, scheme: str, national_id: str) -> str:
    """What every closed account of this national ID starts with: an operator holding the key
    answers "was this ID ever enrolled?" with a prefix search."""
    digest = hmac.new(key, f"{scheme}\x00{national_id}".encode(), hashlib.sha256).hexdigest()
    return CLOSED_PREFIX + digest[:ID_DIGITS] + "."


def pseudonym(key: bytes, *, scheme: str, national_id: str, citizen_id: uuid.UUID) -> str:
    """A keyed hash of the national ID, then one of the account, that fits its column (64
    characters). Unique per account: the same person may enrol again after closing, and close
    that account too (a value of the national ID alone collided with the first one's)."""
    prefix = pseudonym_prefix(key, scheme=scheme, national_id=national_id)
    own = hmac.new(key, f"account\x00{citizen_id}".encode(), hashlib.sha256).hexdigest()
    return prefix + own[: 64 - len(prefix)]




@dataclass(frozen=True)
class Closed:
    citizen_id: str
    agencies: tuple[str, ...]


def close_account(session: Session, *, policy: ConsentPolicy, sign: ReceiptSigner, grants: IssuedGrants,
                  pseudonym_key: bytes, citizen_id: str, language: str, now: datetime,
                  checked_with: str | None = None) -> Closed:
    """`checked_with`: the passkey (base64url) the session's fresh check was made with; CheckEnded
    when, read under the account's lock, it is no longer the account's or is marked suspect (a
    desk recovery, which takes the same lock, a reclaim or a deletion that committed after the
    view's check): whoever held it must not close the account a desk just handed over."""
    audit.prepare()  # the checkpoint key exists before this transaction writes anything
    citizen = session.get(Citizen, uuid.UUID(citizen_id), with_for_update=True)
    if citizen is None or is_closed(citizen):
        raise AccountClosed("the account does not exist or is already closed")
    if checked_with is not None and not holds_passkey(session, citizen.id, checked_with):
        raise CheckEnded("the passkey this session was checked with is no longer the account's")
    agencies = services.withdraw_all(session, policy=policy, sign=sign, grants=grants, citizen_id=citizen.id,
                                     language=language, now=now, reason="account_closed")
    session.execute(sa.delete(Passkey).where(Passkey.citizen_id == citizen.id))
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.citizen_id == citizen.id))
    session.execute(sa.delete(SignIn).where(SignIn.citizen_id == citizen.id))
    revoke_of_citizen(session, citizen_id=str(citizen.id), now=now)  # its wallet credentials
    erase_kept_data(session, citizen_id=str(citizen.id))  # and the data kept to offer them
    citizen.national_id = pseudonym(pseudonym_key, scheme=citizen.national_id_scheme,
                                    national_id=citizen.national_id, citizen_id=citizen.id)
    citizen.given_name = ""
    citizen.family_name = ""
    citizen.email = ""
    citizen.birthdate = ERASED_DATE
    audit.append(session, event="account.closed", citizen_id=citizen.id, now=now)
    return Closed(citizen_id=str(citizen.id), agencies=agencies)
