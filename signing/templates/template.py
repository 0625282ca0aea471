"""A document template: its JSON Schema, its printed wording, and how its data is checked.

Data is checked against the schema (JSON Schema Draft 2020-12, with `format` asserted) and
then against rules a schema cannot say (dates in the future, dates out of order). Every bad
field is reported at once, each with its JSONPath and a message key (`signing/translations`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from signing import titles as document_titles
from signing.data_problems import FieldProblem, InvalidTemplateData
from signing.render.blocks import Block
from signing.render.typeface import BOLD, REGULAR, typeface

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
Rules = Callable[[Mapping[str, Any], date], list[FieldProblem]]


@dataclass(frozen=True, eq=False)
class Template:
    name: str
    schema: Mapping[str, Any]
    present: Callable[[Mapping[str, Any], str], list[Block]]
    """The printed body: `present(valid_data, language)` -> blocks in reading order."""
    rules: Rules | None = field(default=None)

    @property
    def title_key(self) -> str:
        return document_titles.title_key(self.name)

    @property
    def titles(self) -> dict[str, str]:
        """The template's title in each language of the catalogs (`signing.titles`)."""
        return document_titles.titles(self.name)

    @property
    def intro_key(self) -> str:
        return f"documents.{self.name}.intro"

    @cached_property
    def _validator(self) -> Draft202012Validator:
        Draft202012Validator.check_schema(self.schema)
        return Draft202012Validator(self.schema,
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)

    def validate(self, data: Any, *, today: date | None = None) -> dict[str, Any]:
        """The data with text normalised (NFC, single spaces), or `InvalidTemplateData`."""
        if not isinstance(data, Mapping):
            raise InvalidTemplateData(self.name, [problem([], "documents.error.not_object")])
        clean = _normalise(data)
        problems: list[FieldProblem] = []
        for error in sorted(self._validator.iter_errors(clean), key=lambda e: list(e.path)):
            problems.extend(_problems(error))
        problems.extend(_unprintable(clean, []))
        if not problems and self.rules is not None:
            problems.extend(self.rules(clean, today or date.today()))
        if problems:
            raise InvalidTemplateData(self.name, _unique(problems))
        return dict(clean)


def problem(path: list[str | int], key: str, **params: str) -> FieldProblem:
    """A problem at the field `path` (a list of names and indexes).

    A parameter whose value starts with `documents.` is a message key, translated too.
    """
    json_path = "$" + "".join(_json_path_step(p) for p in path)
    pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)
    return FieldProblem(json_path, pointer, key, params)


def _json_path_step(step: str | int) -> str:
    if isinstance(step, int):
        return f"[{step}]"
    if _NAME.fullmatch(step):
        return f".{step}"
    escaped = step.replace("\\", "\\\\").replace("'", "\\'")
    return f"['{escaped}']"


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFC", value).split())
    if isinstance(value, Mapping):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


def _problems(error: ValidationError) -> list[FieldProblem]:
    path = list(error.absolute_path)
    keyword, expected, schema = error.validator, error.validator_value, error.schema
    if keyword == "required":
        return [problem([*path, name], "documents.error.required")
                for name in expected if name not in error.instance]
    if keyword == "additionalProperties":
        known = set(schema.get("properties", {}))
        return [problem([*path, name], "documents.error.unexpected")
                for name in error.instance if name not in known]
    if not path and keyword == "type":
        return [problem(path, "documents.error.not_object")]
    if keyword == "type":
        name = expected[0] if isinstance(expected, list) else expected
        return [problem(path, "documents.error.type", expected=f"documents.type.{name}")]
    if keyword == "format" and expected == "date":
        return [problem(path, "documents.error.date")]
    if keyword == "pattern":
        example = (schema.get("examples") or ["…"])[0]
        return [problem(path, "documents.error.pattern", example=str(example))]
    if keyword == "minLength":
        if expected == 1:
            return [problem(path, "documents.error.empty")]
        return [problem(path, "documents.error.min_length", limit=str(expected))]
    if keyword == "maxLength":
        return [problem(path, "documents.error.max_length", limit=str(expected))]
    if keyword == "enum":
        return [problem(path, "documents.error.enum", values=", ".join(map(str, expected)))]
    if keyword == "minItems":
        return [problem(path, "documents.error.min_items", limit=str(expected))]
    if keyword == "maxItems":
        return [problem(path, "documents.error.max_items", limit=str(expected))]
    return [problem(path, "documents.error.invalid")]


def _unprintable(value: Any, path: list[str | int]) -> list[FieldProblem]:
    if isinstance(value, str):
        missing = typeface(REGULAR).unsupported(value) + typeface(BOLD).unsupported(value)
        if missing:
            chars = " ".join(dict.fromkeys(missing))
            return [problem(path, "documents.error.unprintable", chars=chars)]
        return []
    found: list[FieldProblem] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            found.extend(_unprintable(item, [*path, key]))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(_unprintable(item, [*path, i]))
    return found


def _unique(problems: list[FieldProblem]) -> list[FieldProblem]:
    seen: dict[tuple[str, str], FieldProblem] = {}
    for p in problems:
        seen.setdefault((p.pointer, p.key), p)
    return sorted(seen.values(), key=lambda p: p.pointer)
