"""A register backed by an imported table (`cedula registry import FILE`): the embedded default."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.citizens.enrolment import NAME_MAX
from idp.citizens.national_id import InvalidNationalId, NationalIdScheme
from idp.civil_register.base import MatchResult, RegisterQuery, compare
from idp.civil_register.errors import ImportRefused
from idp.civil_register.models import RegisterRecord

HEADER = ("national_id", "given_name", "family_name", "birthdate")


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
                       birthdate=record.birthdate, source=self.name)


@dataclass(frozen=True)
class ImportResult:
    rows: int
    inserted: int
    updated: int
    removed: int


def _rows(text: str, scheme: NationalIdScheme) -> tuple[list[dict], list[tuple[int, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(name.strip().lower() for name in (reader.fieldnames or ()))
    if header[:4] != HEADER or len(header) != 4:
        return [], [(1, f"the header must be {','.join(HEADER)}; got {','.join(header) or 'nothing'}")]
    reader.fieldnames = list(HEADER)
    rows: list[dict] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        if None in raw or any(v is None for v in raw.values()):
            problems.append((number, "expected 4 columns"))
            continue
        values = {k: " ".join(str(v).split()) for k, v in raw.items()}
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
        rows.append({"national_id": national_id, "given_name": values["given_name"],
                     "family_name": values["family_name"], "birthdate": born})
    return rows, problems


def import_csv(session: Session, *, data: bytes, scheme: NationalIdScheme, now: datetime,
               replace: bool = False) -> ImportResult:
    """Import a register extract (UTF-8 CSV with the header national_id,given_name,
    family_name,birthdate) in the caller's transaction. Every row is checked first; any
    problem refuses the whole file (ImportRefused lists them). `replace` drops the records
    of this scheme that the file no longer has."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused([(1, f"the file is not UTF-8 ({exc.reason} at byte {exc.start})")]) from None
    rows, problems = _rows(text, scheme)
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
        elif (record.given_name, record.family_name, record.birthdate) != \
                (row["given_name"], row["family_name"], row["birthdate"]):
            record.given_name, record.family_name = row["given_name"], row["family_name"]
            record.birthdate, record.imported_at = row["birthdate"], now
            updated += 1
    removed = 0
    if replace and existing:
        removed = _remove(session, existing.values())
    session.flush()
    return ImportResult(rows=len(rows), inserted=inserted, updated=updated, removed=removed)


def _remove(session: Session, records: Iterable[RegisterRecord]) -> int:
    ids = [r.id for r in records]
    for start in range(0, len(ids), 500):
        session.execute(sa.delete(RegisterRecord).where(RegisterRecord.id.in_(ids[start:start + 500])))
    return len(ids)
