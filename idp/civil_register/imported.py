"""A register backed by an imported table (`cedula registry import FILE`): the embedded default."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.citizens.enrolment import EMAIL_MAX, EMAIL_PATTERN, NAME_MAX
from idp.citizens.national_id import InvalidNationalId, NationalIdScheme
from idp.civil_register.base import Contact, MatchResult, RegisterQuery, compare
from idp.civil_register.errors import ImportRefused
from idp.civil_register.models import RegisterRecord

HEADER = ("national_id", "given_name", "family_name", "birthdate")
# Optional columns after those four, in any order: the contacts of record.
CONTACT_COLUMNS = ("email", "phone", "postal_address")
POSTAL_MAX = 500
_PHONE = re.compile(r"\+?[0-9]{7,15}")
# What to do about an empty register, for the operator (log lines, the console).
IMPORT_ADVICE = ("import it with cedula registry import FILE (UTF-8 CSV with the header "
                 f"{','.join(HEADER)}, optionally followed by any of {','.join(CONTACT_COLUMNS)}; "
                 "docs/assurance.md)")


def contacts_of(record: RegisterRecord) -> tuple[Contact, ...]:
    found = (("email", record.email), ("phone", record.phone), ("postal", record.postal_address))
    return tuple(Contact(channel, address) for channel, address in found if address)  # type: ignore[arg-type]


class ImportedRegister:
    """Matches against `registry_records` (one indexed query)."""

    name = "imported"

    def match(self, session: Session, *, query: RegisterQuery) -> MatchResult:
        record = session.scalar(sa.select(RegisterRecord).where(
            RegisterRecord.national_id_scheme == query.national_id_scheme,
            RegisterRecord.national_id == query.national_id))
        if record is None:
            return MatchResult("not_found", self.name)
        return compare(query, given_name=record.given_name, family_name=record.family_name,
                       birthdate=record.birthdate, source=self.name, contacts=contacts_of(record))


def holds_records(session: Session, *, scheme: str) -> bool:
    """Whether the imported register holds anyone of this national ID scheme: an empty one (never
    imported) answers `not_found` for everybody, which says nothing about the person."""
    return session.scalar(sa.select(RegisterRecord.id).where(
        RegisterRecord.national_id_scheme == scheme).limit(1)) is not None


@dataclass(frozen=True)
class ImportResult:
    rows: int
    inserted: int
    updated: int
    removed: int


def _contact(column: str, raw: str) -> tuple[str | None, str | None]:
    """(normalised value or None when empty, problem)."""
    if column == "postal_address":
        lines = [" ".join(line.split()) for line in raw.replace("\r", "\n").split("\n")]
        value = "\n".join(line for line in lines if line)
        if len(value) > POSTAL_MAX:
            return None, f"postal_address has more than {POSTAL_MAX} characters"
        return value or None, None
    value = " ".join(raw.split())
    if not value:
        return None, None
    if column == "email":
        if len(value) > EMAIL_MAX or not EMAIL_PATTERN.fullmatch(value):
            return None, "email is not an e-mail address"
        local, _, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}", None
    digits = re.sub(r"[\s().-]", "", value)
    if not _PHONE.fullmatch(digits):
        return None, "phone must be 7 to 15 digits, optionally after +"
    return digits, None


def _rows(text: str, scheme: NationalIdScheme) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = tuple(name.strip().lower() for name in (reader.fieldnames or ()))
    extra = header[4:]
    if header[:4] != HEADER or any(c not in CONTACT_COLUMNS for c in extra) or \
            len(set(extra)) != len(extra):
        return [], [(1, f"the header must be {','.join(HEADER)}, optionally followed by any of "
                        f"{','.join(CONTACT_COLUMNS)}; got {','.join(header) or 'nothing'}")]
    reader.fieldnames = list(header)
    rows: list[dict[str, Any]] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for raw in reader:
        number = reader.line_num
        if None in raw or any(v is None for v in raw.values()):
            problems.append((number, f"expected {len(header)} columns"))
            continue
        values = {k: " ".join(str(v).split()) for k, v in raw.items() if k in HEADER}
        try:
            national_id = scheme.normalise(values["national_id"])
        except InvalidNationalId as exc:
            problems.append((number, f"national_id: {exc}"))
            continue
        if national_id in seen:
            problems.append((number, f"national_id repeats line {seen[national_id]}"))
            continue
        seen[national_id] = number
        names_ok = all(0 < len(values[f]) <= NAME_MAX for f in ("given_name", "family_name"))
        if not names_ok:
            problems.append((number, f"given_name and family_name need 1 to {NAME_MAX} characters"))
            continue
        try:
            born = date.fromisoformat(values["birthdate"])
            if len(values["birthdate"]) != 10:
                raise ValueError
        except ValueError:
            problems.append((number, "birthdate must be YYYY-MM-DD"))
            continue
        contacts: dict[str, str | None] = dict.fromkeys(CONTACT_COLUMNS)
        bad = None
        for column in extra:
            contacts[column], bad = _contact(column, str(raw[column]))
            if bad:
                break
        if bad:
            problems.append((number, bad))
            continue
        rows.append({"national_id": national_id, "given_name": values["given_name"],
                     "family_name": values["family_name"], "birthdate": born, **contacts})
    return rows, problems


def import_csv(session: Session, *, data: bytes, scheme: NationalIdScheme, now: datetime,
               replace: bool = False) -> ImportResult:
    """Import a register extract (UTF-8 CSV with the header national_id,given_name,
    family_name,birthdate and optionally email,phone,postal_address) in the caller's
    transaction. A file without a contact column leaves that contact as it was. Every row is checked first; any
    problem refuses the whole file (ImportRefused lists them). `replace` drops the records
    of this scheme that the file no longer has."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused([(1, f"the file is not UTF-8 ({exc.reason} at byte {exc.start})")]) from None
    rows, problems = _rows(text, scheme)
    columns = _columns(text)
    if problems:
        raise ImportRefused(problems)
    existing = {r.national_id: r for r in session.scalars(
        sa.select(RegisterRecord).where(RegisterRecord.national_id_scheme == scheme.code))}
    inserted = updated = 0
    for row in rows:
        record = existing.pop(row["national_id"], None)
        if record is None:
            session.add(RegisterRecord(national_id_scheme=scheme.code, imported_at=now, **row))
            inserted += 1
        else:
            changed = False
            for field, value in row.items():
                if field in CONTACT_COLUMNS and field not in columns:
                    continue
                if getattr(record, field) != value:
                    setattr(record, field, value)
                    changed = True
            if changed:
                record.imported_at = now
                updated += 1
    removed = 0
    if replace and existing:
        removed = _remove(session, existing.values())
    session.flush()
    return ImportResult(rows=len(rows), inserted=inserted, updated=updated, removed=removed)


def _columns(text: str) -> set[str]:
    header = next(csv.reader(io.StringIO(text, newline="")), [])
    return {name.strip().lower() for name in header}


def _remove(session: Session, records: Iterable[RegisterRecord]) -> int:
    ids = [r.id for r in records]
    for start in range(0, len(ids), 500):
        session.execute(sa.delete(RegisterRecord).where(RegisterRecord.id.in_(ids[start:start + 500])))
    return len(ids)
