"""The data-sharing log's tables: append-only entries, the chain head, signed checkpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from idp.audit.chain import Body
from idp.tables import Base

SERIAL = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class AuditEntry(Base):
    """One release of personal data (or consent event), chained to the entry before it.

    The request that releases data inserts the entry *pending* (`seq`, `prev_hash` and `hash`
    NULL; `id` from the database, in insertion order) in its own transaction; the sealer
    (`idp.audit.seal`) gives pending entries their place in the chain shortly after.
    `citizen_ref` is the citizen's random internal id (no personal data; after the account is
    closed it stays a pseudonym). Claim *names* only, never values.
    """

    __tablename__ = "audit_entries"
    # Pending entries (`seq`, `hash` NULL) are in no index but the pending one: the INSERT of
    # each released datum maintains two indexes, not five (issue 16). NULLs never collide, so
    # the partial unique indexes refuse exactly what unique constraints would; readers by
    # citizen say `seq IS NOT NULL` (or `seq IS NULL`, the pending index) to use them.
    __table_args__ = (
        sa.Index("ix_audit_entries_seq", "seq", unique=True, sqlite_where=sa.text("seq IS NOT NULL"),
                 postgresql_where=sa.text("seq IS NOT NULL")),
        sa.Index("ix_audit_entries_hash", "hash", unique=True, sqlite_where=sa.text("hash IS NOT NULL"),
                 postgresql_where=sa.text("hash IS NOT NULL")),
        sa.Index("ix_audit_entries_citizen_seq", "citizen_ref", "seq", sqlite_where=sa.text("seq IS NOT NULL"),
                 postgresql_where=sa.text("seq IS NOT NULL")),
        sa.Index("ix_audit_entries_pending", "id", sqlite_where=sa.text("seq IS NULL"),
                 postgresql_where=sa.text("seq IS NULL")),
    )

    id: Mapped[int] = mapped_column(SERIAL, sa.Identity(), primary_key=True)
    seq: Mapped[int | None] = mapped_column(SERIAL)
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str | None] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    event: Mapped[str] = mapped_column(sa.String(32))
    citizen_ref: Mapped[str | None] = mapped_column(sa.String(64))
    client_id: Mapped[str | None] = mapped_column(sa.String(64))
    purpose: Mapped[str | None] = mapped_column(sa.String(500))
    legal_basis: Mapped[str] = mapped_column(sa.String(16))
    law: Mapped[str | None] = mapped_column(sa.String(500))
    claims: Mapped[list[str]] = mapped_column(sa.JSON)
    reference: Mapped[str | None] = mapped_column(sa.String(200))
    # HMAC-SHA256 of the body under the log's entry key (`idp.audit.chain.entry_mac`), written
    # with the pending entry: the sealer chains no entry whose body no longer matches it.
    mac: Mapped[str | None] = mapped_column(sa.String(64))

    def body(self) -> Body:
        return Body(at=self.at, event=self.event, citizen=self.citizen_ref, agency=self.client_id,
                    purpose=self.purpose, legal_basis=self.legal_basis, law=self.law,
                    claims=tuple(self.claims or ()), reference=self.reference)


class ChainHead(Base):
    """The single row (id 1) the sealer locks: the newest sealed entry and the newest checkpoint."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str] = mapped_column(sa.String(64))
    checkpoint_seq: Mapped[int] = mapped_column(sa.BigInteger)
    checkpoint_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Checkpoint(Base):
    """A signed statement of the chain head: JWS over {seq, head_hash, time, prev}.

    `prev` is the SHA-256 of the previous checkpoint's JWS, so checkpoints form a chain of
    their own: the newest one, signed by a key still in the JWKS, vouches for all before it.
    `jwk` is the public key that signed it, kept because signing keys rotate out of the JWKS.
    """

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                     primary_key=True, autoincrement=False)
    head_hash: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    prev: Mapped[str] = mapped_column(sa.String(64))
    jws: Mapped[str] = mapped_column(sa.Text)
    kid: Mapped[str] = mapped_column(sa.String(128))
    jwk: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class LogKey(Base):
    """The log's own signing keys: a permanent, append-only history (never deleted, never
    rotated out), so that every checkpoint and consent receipt ever signed stays verifiable.

    `seq` 1 is the first key; each later key is introduced by an `endorsement` (a JWS over its
    seq, kid, public JWK and its predecessor's kid) signed by the key before it; the first key
    endorses itself. The private half lives in `keys/` custody (`key_id`: its `keys_key` row), so
    a key that custody cannot sign with is not a log key, whatever this table says.
    """

    __tablename__ = "audit_log_keys"

    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    kid: Mapped[str] = mapped_column(sa.String(64), unique=True)  # RFC 7638 thumbprint
    alg: Mapped[str] = mapped_column(sa.String(8))
    jwk: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    key_id: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    endorsement: Mapped[str] = mapped_column(sa.Text)


# The entries table as a Core object, for the statements built once (the pending INSERT, the
# sealing UPDATE) without the ORM's unit of work; declarative types `__table__` as a FromClause.
AUDIT_ENTRIES = cast(sa.Table, AuditEntry.__table__)
