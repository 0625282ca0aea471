"""Schema parts and wording shared by the templates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from signing.data_problems import FieldProblem
from signing.i18n import format_date, text
from signing.templates.template import problem

IDENTITY_KINDS = ("national_id", "passport", "residence_permit", "other")


def text_field(title: str, description: str, max_length: int) -> dict[str, Any]:
    return {"title": title, "description": description, "type": "string",
            "minLength": 1, "maxLength": max_length}


def choice_field(title: str, description: str, values: Iterable[str]) -> dict[str, Any]:
    return {"title": title, "description": description, "enum": list(values)}


def date_field(title: str, description: str) -> dict[str, Any]:
    return {"title": title, "description": f"{description} Written YYYY-MM-DD.",
            "type": "string", "format": "date", "examples": ["1990-04-23"]}


IDENTITY_DOCUMENT: dict[str, Any] = {
    "title": "Identity document",
    "description": "The document that identifies the person.",
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "number"],
    "properties": {
        "kind": choice_field("Kind of document",
                             "National identity card, passport, residence permit, or other.",
                             IDENTITY_KINDS),
        "number": {"title": "Number", "description": "The document number, as printed on it.",
                   "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9 .-]{1,29}$",
                   "examples": ["12345678Z"]},
    },
}


def identity(document: Mapping[str, str], language: str) -> str:
    kind = text(f"documents.identity.{document['kind']}", language)
    return f"{kind} {document['number']}"


def long_date(iso: str, language: str) -> str:
    return format_date(date.fromisoformat(iso), language)


def future(path: list[str | int], iso: str | None, today: date) -> list[FieldProblem]:
    """A problem if the date `iso` (already checked as a date) is after `today`."""
    if iso is not None and date.fromisoformat(iso) > today:
        return [problem(path, "documents.error.future")]
    return []
