"""Verification for `cedula verify`: no Flask app, no ORM, no sealing side.

A command verifies one file and exits, so what it needs of the database is read once, with
plain SQL: the PKI's own certificates and current CRLs (`keys_certificate`, `keys_crl`), the
issued document the file is (`documents`) and, through the reader the caller hands over
(`clients.registry.names.agency_name_in_sql`), its agency's name. A plain SQLite
file is read through `sqlite3` (importing SQLAlchemy cost more than the verification); any
other database, and a SQLite file `sqlite3` cannot read, through SQLAlchemy Core. When the
issuing CA's CRL is due to be reissued (or a CRL is missing), the PKI itself (`keys`) answers,
as it does for the web app's `VerificationService`: the verdicts and the report are the same.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509

from infra.utc import as_utc
from signing.verify import lookup, signed_content
from signing.verify.errors import DatabaseUnreadable
from signing.verify.report import CitizenSignedDocument, IssuedDocument, VerificationReport
from signing.verify.service import (
    VerifySettings,
    expectations,
    own_status,
    pki_evidence,
    quiet_pyhanko,
    revocation_client,
)
from signing.verify.trust import TrustStore
from signing.verify.validation import Evidence, Verifier

if TYPE_CHECKING:
    from infra.config import Settings
    from infra.db import Database
    from keys.service import KeyService

Rows = list[tuple[Any, ...]]
_ISSUED = ("SELECT sha256, id, csv, title, client_id, issued_at, status, revoked_at, "
           "revocation_reason, superseded_by, template FROM documents")
CA_NAMES = ("root", "issuing")
PKI_NAMES = ("root", "issuing", "tsa", "ocsp")  # keys.pki.CA_NAMES + SERVICE_NAMES


class AgencyNameInSql(Protocol):
    """client_id -> the agency's name in `locale` (None once it is no longer registered), read
    with `rows` (`Reader.rows`): `clients.registry.names.agency_name_in_sql`, which `idp`
    hands over (the `clients` table and the name rule are `clients.registry`'s)."""

    def __call__(self, rows: Callable[[str, Mapping[str, object]], Rows], client_id: str,
                 locale: str | None, /) -> str | None: ...


class Reader:
    """Plain SELECTs with named parameters (`:name`) on this deployment's database."""

    def __init__(self, url: str, database: Callable[[], Database]) -> None:
        self.path = sqlite_file(url)
        self._database = database

    def rows(self, sql: str, params: Mapping[str, object]) -> Rows:
        if self.path is not None:
            try:
                uri = self.path.resolve().as_uri() + "?mode=ro"
                with closing(sqlite3.connect(uri, uri=True)) as connection:
                    return connection.execute(sql, dict(params)).fetchall()
            except sqlite3.Error:  # not there, not ours, locked: SQLAlchemy says what it says
                self.path = None
        import sqlalchemy as sa

        with self._database().engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql), dict(params))]


def database_error(exc: BaseException) -> bool:
    """An error of the database itself: `sqlite3`'s, or SQLAlchemy's once it was imported (it
    is not on the embedded path, so only then can the error be one of its)."""
    found = sys.modules.get("sqlalchemy.exc")
    return isinstance(exc, sqlite3.Error) or (
        found is not None and isinstance(exc, found.SQLAlchemyError))


def first_line(exc: BaseException) -> str:
    """The driver's own first line of a database error (no SQL, no parameters, no URL)."""
    cause = getattr(exc, "orig", None) or exc
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0][:200]


def sqlite_file(url: str) -> Path | None:
    """The file of a plain `sqlite:///PATH` URL (no driver, no query), else None."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    path = url.removeprefix(prefix)
    return Path(path) if path and path != ":memory:" else None


def as_datetime(value: Any) -> datetime:
    """A timestamp column as SQLAlchemy reads it: SQLite keeps text without a zone (read back
    naive, as the ORM does), PostgreSQL gives a datetime."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _in(name: str, values: Sequence[object]) -> tuple[str, dict[str, object]]:
    """`IN (:name0, :name1, ...)` and its parameters: only parameter names go into the SQL
    text (hence the `noqa: S608` where it is used), the values are bound."""
    params = {f"{name}{i}": value for i, value in enumerate(values)}
    return "(" + ", ".join(f":{key}" for key in params) + ")", params


class CommandVerification:
    """`verify(data)` as `VerificationService.verify` does it, built from the settings alone."""

    def __init__(self, settings: Settings, *, database: Callable[[], Database],
                 agency_names: AgencyNameInSql) -> None:
        """`database()` opens the deployment's database (`infra.db.Database`) when SQLAlchemy
        must read it or the PKI must write; `agency_names` reads an agency's name with this
        command's plain SQL."""
        quiet_pyhanko()
        self.raw_settings = settings
        self.settings = VerifySettings.load(settings)
        self.reader = Reader(settings.database_url, self._database)
        self._open = database
        self._agency_names = agency_names
        self._db: Database | None = None
        self._keys: KeyService | None = None
        self.verifier = Verifier(trust=TrustStore(self.settings.trust_roots),
                                 evidence=self.evidence, clock=lambda: datetime.now(UTC),
                                 max_bytes=self.settings.max_bytes,
                                 fetch_revocation=self.settings.fetch_revocation,
                                 limits=self.settings.limits,
                                 expectations=expectations(settings),
                                 outbound=revocation_client(settings, self.settings))

    def _database(self) -> Database:
        if self._db is None:
            self._db = self._open()
        return self._db

    @property
    def max_bytes(self) -> int:
        """The largest file accepted, in bytes (`[verify] max_upload_bytes`)."""
        return self.verifier.max_bytes

    def verify(self, data: bytes) -> VerificationReport:
        """The report; `DatabaseUnreadable` when the deployment's database cannot be read."""
        try:
            report = self.verifier.verify(data)
            return report.with_document(self.find_by_content(data, report.signed_ends)) \
                .with_citizen_signed(self.find_citizen_signed_by_content(data, report.signed_ends))
        except Exception as exc:
            if not database_error(exc):
                raise
            raise DatabaseUnreadable(
                "The deployment's database could not be read "
                f"({first_line(exc)}), so nothing was verified. If it was never set up, run "
                "`cedula db upgrade` (then `cedula pki init`); if it is a server, check that it "
                "runs and that [database] url names it.") from None

    # the PKI -------------------------------------------------------------------------------

    def evidence(self, now: datetime) -> Evidence:
        """The own root, CA/TSA/OCSP certificates and current CRLs, as `keys.pki.Pki` gives
        them (`pki_evidence`); the PKI itself answers when a CRL is to be (re)issued."""
        names, params = _in("name", PKI_NAMES)
        query = ("SELECT c.name, c.der FROM keys_certificate c JOIN keys_key k ON k.id = c.key_id "  # noqa: S608
                 f"WHERE c.name IN {names}")
        certificates: dict[str, bytes] = dict(self.reader.rows(query, params))
        if set(certificates) != set(PKI_NAMES):
            return Evidence()  # before `cedula pki init`
        cas, params = _in("ca", CA_NAMES)
        crls = {ca: (bytes(der), as_utc(as_datetime(this)), as_utc(as_datetime(next_)))
                for ca, der, this, next_ in self.reader.rows(
                    f"SELECT ca, der, this_update, next_update FROM keys_crl WHERE ca IN {cas}",  # noqa: S608
                    params)}
        # keys.pki.Pki.crl: the root's CRL is only read; the issuing CA's is reissued once
        # half its validity has passed (that needs its key: the PKI does it).
        if set(crls) != set(CA_NAMES) or not self._current(*crls["issuing"][1:], now):
            return replace(pki_evidence(self._key_service().pki, now), own_status=self._own_status)
        load = asn1_x509.Certificate.load
        return Evidence(roots=(load(bytes(certificates["root"])),),
                        certificates=tuple(load(bytes(certificates[name]))
                                           for name in ("issuing", "tsa", "ocsp")),
                        crls=tuple(asn1_crl.CertificateList.load(crls[ca][0]) for ca in CA_NAMES),
                        own_status=self._own_status)

    def _own_status(self, certificate: asn1_x509.Certificate, issuer: asn1_x509.Certificate,
                    not_before: datetime) -> asn1_ocsp.OCSPResponse | None:
        """`service.own_status`, the key service loaded only when a signature needs it."""
        return own_status(self._key_service())(certificate, issuer, not_before)

    @staticmethod
    def _current(this_update: datetime, next_update: datetime, now: datetime) -> bool:
        return now < this_update + (next_update - this_update) / 2

    def _key_service(self) -> KeyService:
        if self._keys is None:
            from keys.service import KeyService

            self._keys = KeyService(self.raw_settings, self._database())
        return self._keys

    # the document register -----------------------------------------------------------------

    def find_by_content(self, data: bytes, signed_ends: Collection[int]) -> IssuedDocument | None:
        """`signing.verify.lookup.find_by_content` in plain SQL."""
        digests = lookup.candidates(data, signed_ends=signed_ends)
        wanted, params = _in("sha", digests)
        rows = {row[0]: row for row in self.reader.rows(
            f"{_ISSUED} WHERE sha256 IN {wanted} AND kind = 'sealed'", params)}
        match = lookup.best_match(digests, rows)
        if match is None:
            holding = self._by_signed_content(data, signed_ends)
            if holding is None:
                return None
            rows, match = {holding[0]: holding}, (holding[0], "signed_content")
        (sha256, id_, csv, title, client_id, issued_at, status, revoked_at, reason, superseded_by,
         template) = rows[match[0]]
        replacement = None
        if superseded_by:
            found = self.reader.rows("SELECT csv FROM documents WHERE id = :id",
                                     {"id": superseded_by})
            replacement = found[0][0] if found else None
        return lookup.issued_document(
            id=id_, csv=csv, title=title, client_id=client_id, issued_at=as_datetime(issued_at),
            status=status, revoked_at=as_datetime(revoked_at) if revoked_at is not None else None,
            reason=reason, replacement=replacement, matched_by=match[1], sha256=sha256,
            template=template, agency_name=self.agency_name)

    def _by_signed_content(self, data: bytes, signed_ends: Collection[int]) -> tuple[Any, ...] | None:
        """`signing.verify.lookup.by_signed_content` in plain SQL: the issued document proposed
        by a code written in `data` whose stored original signs what `data` signs."""
        codes = signed_content.codes(data) if signed_ends else []
        if not codes:
            return None
        wanted, params = _in("csv", codes)
        rows = self.reader.rows(f"{_ISSUED} WHERE csv IN {wanted} AND kind = 'sealed'", params)
        for row in sorted(rows, key=lambda r: codes.index(r[2])):
            original = self._stored(row[0])
            if original is not None and signed_content.signs_the_same(data, original,
                                                                      signed_ends=signed_ends):
                return row
        return None

    def _stored(self, sha256: str) -> bytes | None:
        """The stored PDF with this SHA-256 (the document store of `[documents]`), or None."""
        from signing.settings import DocumentSettings
        from signing.store import DocumentNotStored, DocumentStore

        folder = DocumentSettings.load(self.raw_settings, self.raw_settings.data_dir).storage_dir
        try:
            return DocumentStore(folder).read(sha256)
        except DocumentNotStored:
            return None

    def find_citizen_signed_by_content(self, data: bytes, signed_ends: Collection[int]
                                       ) -> CitizenSignedDocument | None:
        """`signing.verify.lookup.find_citizen_signed_by_content` in plain SQL."""
        digests = lookup.candidates(data, signed_ends=signed_ends)
        wanted, params = _in("sha", digests)
        query = ("SELECT sha256, id, csv, issued_at, signer_serial, status FROM documents "  # noqa: S608
                 f"WHERE sha256 IN {wanted} AND kind = 'citizen-signed'")
        rows = {row[0]: row for row in self.reader.rows(query, params)}
        match = lookup.best_match(digests, rows)
        if match is None:
            return None
        sha256, id_, csv, issued_at, signer_serial, status = rows[match[0]]
        return CitizenSignedDocument(id=id_, csv=csv, signed_at=as_datetime(issued_at),
                                     matched_by=match[1], sha256=sha256,
                                     signer_serial=signer_serial, status=status)

    def agency_name(self, client_id: str) -> str | None:
        """The agency's registered name, else its client id; None if it is no longer
        registered (as `VerificationService.agency_name`)."""
        return self._agency_names(self.reader.rows, client_id, None)
