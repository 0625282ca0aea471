"""The CAs' certificate revocation lists (RFC 5280, 5): the issuing CA's reissued once half
its validity has passed, the root's issued offline in a ceremony and only read here."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from infra.utc import as_utc
from keys.crl import RevokedEntry, build_crl
from keys.models import Certificate, RevocationList
from keys.pki_core import PkiCore
from keys.pki_material import Authority


class CrlPublication(PkiCore):
    def crl_next_update(self, ca: str) -> datetime | None:
        with self.custody.database.read() as session:
            row = session.get(RevocationList, ca)
            return as_utc(row.next_update) if row is not None else None

    def root_crl_next_update(self) -> datetime | None:
        return self.crl_next_update("root")


    def publish_root_crl(self, now: datetime) -> bytes:
        """Issue the root's CRL (signed with the root key: a ceremony, like `renew issuing`)."""
        with self._crl_lock, self.custody.database.transaction() as session:
            return self.publish_crl(session, self.material().root, now)

    def publish_issuing_crl(self, now: datetime) -> bytes:
        """Issue the issuing CA's CRL now, whatever the age of the current one: status
        information after every time-stamp made so far (signatures carrying none issued after
        their time-stamp, B-T seals and seals made before 2026-12, then verify at once)."""
        with self._crl_lock, self.custody.database.transaction() as session:
            return self.publish_crl(session, self.material().issuing, now)


    def crl(self, name: str, now: datetime) -> bytes:
        """The CA's current CRL; the issuing CA's is reissued once half its validity has
        passed. The root's is only ever read here: it is issued offline (`cedula pki crl`),
        and `due` warns before it runs out."""
        authority = self.material().ca(name)
        with self.custody.database.read() as session:
            row = session.get(RevocationList, name)
            if row is not None:
                this_update, next_update = as_utc(row.this_update), as_utc(row.next_update)
                if name == "root" or now < this_update + (next_update - this_update) / 2:
                    return bytes(row.der)
        with self._crl_lock, self.custody.database.transaction() as session:
            return self.publish_crl(session, authority, now)

    def publish_crl(self, session: Session, ca: Authority, now: datetime) -> bytes:
        row = session.get(RevocationList, ca.name, with_for_update=True)
        revoked = [RevokedEntry(int(serial, 16), as_utc(at), reason or "unspecified",
                                as_utc(invalid) if invalid else None)
                   for serial, at, reason, invalid in session.execute(
                       sa.select(Certificate.serial, Certificate.revoked_at,
                                 Certificate.revocation_reason, Certificate.invalidity_date)
                       .where(Certificate.issuer == ca.name, Certificate.role != "root",
                              Certificate.revoked_at.is_not(None))) if at is not None]
        this_update = now.replace(microsecond=0)
        next_update = this_update + (timedelta(days=int(self.section["root_crl_days"]))
                                     if ca.name == "root" else
                                     timedelta(hours=int(self.section["crl_hours"])))
        number = (row.number + 1) if row is not None else 1
        der = build_crl(issuer=self.signer_of(ca, publish=False), number=number,
                        this_update=this_update, next_update=next_update, revoked=revoked)
        if row is None:
            session.add(RevocationList(ca=ca.name, number=number, der=der,
                                       this_update=this_update, next_update=next_update))
        else:
            row.number, row.der = number, der
            row.this_update, row.next_update = this_update, next_update
        return der




__all__ = ["CrlPublication"]
