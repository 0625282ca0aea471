"""Document data that does not match its template: each bad field, and the error listing them,
with their texts in the citizen's language (so `signing.errors` stays free of texts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from signing.errors import SigningError
from signing.i18n import text


@dataclass(frozen=True)
class FieldProblem:
    """One bad field of document data: where it is and what is wrong, as a message key."""

    path: str
    """JSONPath of the field, e.g. `$.household[0].full_name`."""
    pointer: str
    """The same place as a JSON Pointer (RFC 6901), e.g. `/household/0/full_name`."""
    key: str
    """Key of the message in signing's message catalog."""
    params: Mapping[str, str] = field(default_factory=dict)

    def message(self, language: str) -> str:
        params = {name: text(value, language) if value.startswith("documents.") else value
                  for name, value in self.params.items()}
        return text(self.key, language, **params)


class InvalidTemplateData(SigningError):
    """Document data does not match its template's schema: every bad field is listed."""

    def __init__(self, template: str, problems: list[FieldProblem]) -> None:
        self.template = template
        self.problems = problems
        super().__init__(self.description("en"))

    def description(self, language: str) -> str:
        """One sentence naming every bad field, for `error_description`."""
        fields = " ".join(f"{p.path}: {p.message(language)}" for p in self.problems)
        return text("documents.error.summary", language, template=self.template, fields=fields)

    def fields(self, language: str) -> list[dict[str, str]]:
        """The problems as JSON objects: `{"path", "pointer", "message"}`."""
        return [{"path": p.path, "pointer": p.pointer, "message": p.message(language)}
                for p in self.problems]
