"""Other forms of an issued document, shown beside it on its verification (CSV) page.

The same document can exist in another form than the sealed PDF, such as a credential in a
citizen's wallet. The package that issues that form registers a `FormProvider` at start;
`signing` asks every provider about a document and shows what they answer, without
knowing them (it imports none of them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from infra.components import Slot


@dataclass(frozen=True)
class OtherForm:
    """One other form of a document: its format, its state, and sentences for people."""

    format: str  # e.g. "dc+sd-jwt"
    status: str  # "valid" | "revoked" | "not_issued"
    heading: str  # in the page's language
    sentence: str  # in the page's language
    details: dict[str, Any] = field(default_factory=dict)  # for the JSON API

    def as_json(self) -> dict[str, Any]:
        return {"format": self.format, "status": self.status, "message": self.sentence,
                **self.details}


FormProvider = Callable[[str, str], "OtherForm | None"]
"""`provider(document_id, document_status)` -> the form's state, or None if it has none."""

PROVIDERS: Slot[list[FormProvider]] = Slot("other forms of documents")


def register(app: Flask, provider: FormProvider) -> None:
    if not PROVIDERS.installed(app):
        PROVIDERS.install(app, [])
    PROVIDERS.of(app).append(provider)


def of(app: Flask, document_id: str, status: str) -> list[OtherForm]:
    if not PROVIDERS.installed(app):
        return []
    found = (provider(document_id, status) for provider in PROVIDERS.of(app))
    return [form for form in found if form is not None]
