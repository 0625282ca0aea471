"""The identity document a registrar checks in person (type, number, expiry), and the form that
reads it with the person's details (assisted enrolment and reclaim in person)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from idp.citizens import enrolment
from idp.citizens.enrolment import EnrolmentData, validate
from idp.citizens.errors import InvalidFields
from idp.citizens.national_id import NationalIdScheme
from idp.registrar.errors import InvalidDocument

TYPES = ("national_id_card", "passport", "residence_permit")
# The person's details (as at enrolment), then the document they showed.
FIELDS = (*enrolment.FIELDS, "document_type", "document_number", "document_expiry")
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
    if errors or expiry is None:  # no expiry date is always an error
        raise InvalidDocument(errors)
    return DocumentCheck(document_type=str(kind), number=number, expiry=expiry)


@dataclass(frozen=True)
class InPersonForm:
    """The registrar's form as typed (`values`), what is wrong in it by field id (`errors`), and
    the person's details and their document when both are valid."""

    values: dict[str, str]
    errors: dict[str, str]
    data: EnrolmentData | None
    document: DocumentCheck | None


def read_in_person_form(form: Mapping[str, object], *, form_id: str, scheme: NationalIdScheme,
                        minimum_age: int, today: date) -> InPersonForm:
    """The person's details and the document they showed, every wrong field named at once (the
    document's fields as `<form_id>-<field>`, the ids the page gives them)."""
    values = {k: str(form.get(k, ""))[:254] for k in FIELDS}
    errors: dict[str, str] = {}
    data = document = None
    try:
        data = validate(values, scheme=scheme, minimum_age=minimum_age, today=today)
    except InvalidFields as exc:
        errors.update(exc.errors)
    try:
        document = parse_document(form, today=today)
    except InvalidDocument as exc:
        errors.update({f"{form_id}-{k}": v for k, v in exc.errors.items()})
    return InPersonForm(values=values, errors=errors, data=data, document=document)
