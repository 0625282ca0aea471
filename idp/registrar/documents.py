"""The identity document a registrar checks in person: type, number, expiry."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from idp.registrar.errors import InvalidDocument

TYPES = ("national_id_card", "passport", "residence_permit")
_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]{2,39}")


@dataclass(frozen=True)
class DocumentCheck:
    document_type: str
    number: str
    expiry: date


def parse_document(fields: Mapping[str, object], *, today: date) -> DocumentCheck:
    """The document fields, or InvalidDocument naming every wrong field. An expired
    document does not prove an identity (eIDAS 2015/1502 annex 2.1.2)."""
    errors: dict[str, str] = {}
    kind = fields.get("document_type")
    if kind not in TYPES:
        errors["document_type"] = "registrar.error.document_type"
    raw_number = fields.get("document_number")
    number = "".join(str(raw_number).split()).upper() if isinstance(raw_number, str) else ""
    if not _NUMBER.fullmatch(number):
        errors["document_number"] = "registrar.error.document_number"
    raw_expiry = fields.get("document_expiry")
    expiry: date | None = None
    try:
        if not isinstance(raw_expiry, str) or len(raw_expiry.strip()) != 10:
            raise ValueError
        expiry = date.fromisoformat(raw_expiry.strip())
    except ValueError:
        errors["document_expiry"] = "registrar.error.document_expiry"
    else:
        if expiry < today:
            errors["document_expiry"] = "registrar.error.document_expired"
    if errors:
        raise InvalidDocument(errors)
    return DocumentCheck(document_type=str(kind), number=number, expiry=expiry)  # type: ignore[arg-type]
