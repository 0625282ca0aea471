"""The OpenAPI document, reshaped for reading: one entry per operation, schemas as field tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    schema: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    security: tuple[str, ...]
    parameters: tuple[Field, ...]
    body: str
    responses: tuple[Response, ...]


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    fields: tuple[Field, ...]


def _ref_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        inner = _ref_name(schema.get("items"))
        return f"{inner}[]" if inner else "array"
    return str(schema.get("type", ""))


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema or schema.get("type") == "array":
        return _ref_name(schema)
    kind = schema.get("type", "")
    kind = " | ".join(kind) if isinstance(kind, list) else str(kind or "any")
    if "enum" in schema:
        kind += ": " + ", ".join(str(v) for v in schema["enum"])
    return kind


def _body_schema(content: dict[str, Any] | None) -> str:
    for media in (content or {}).values():
        return _ref_name(media.get("schema"))
    return ""


def _anchor(method: str, path: str) -> str:
    return "op-" + method + "-" + "".join(c if c.isalnum() else "-" for c in path).strip("-")


def operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            parameters = tuple(
                Field(str(p.get("name", "")), f"{p.get('in', '')}: {_type(p.get('schema', {}))}",
                      bool(p.get("required")), str(p.get("description", "")))
                for p in operation.get("parameters", []) + item.get("parameters", []) if isinstance(p, dict))
            responses = tuple(Response(str(status), str(r.get("description", "")), _body_schema(r.get("content")))
                              for status, r in operation.get("responses", {}).items())
            found.append(Operation(
                method=method.upper(), path=path, anchor=_anchor(method, path),
                summary=str(operation.get("summary", "")), description=str(operation.get("description", "")),
                security=tuple(name for requirement in operation.get("security", []) for name in requirement),
                parameters=parameters, body=_body_schema(operation.get("requestBody", {}).get("content")),
                responses=responses))
    return found


def schemas(document: dict[str, Any]) -> list[Schema]:
    found = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        fields = tuple(Field(field, _type(spec), field in required, str(spec.get("description", "")))
                       for field, spec in schema.get("properties", {}).items() if isinstance(spec, dict))
        found.append(Schema(name, str(schema.get("description", "")), fields))
    return found
