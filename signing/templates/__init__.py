"""The document templates agencies can issue, each with a JSON Schema for its data.

`catalogue()` lists them by name; `schemas()` is what `cedula documents templates` prints
and `GET /api/documents/templates` serves.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from signing.errors import UnknownTemplate
from signing.templates.template import Template


@cache
def catalogue() -> Mapping[str, Template]:
    """Every template by name, in name order."""
    from signing.templates import birth, residence

    templates = (birth.TEMPLATE, residence.TEMPLATE)
    return MappingProxyType({t.name: t for t in sorted(templates, key=lambda t: t.name)})


def get_template(name: str) -> Template:
    try:
        return catalogue()[name]
    except (KeyError, TypeError):
        known = ", ".join(catalogue())
        raise UnknownTemplate(f"no document template is named {name!r}; "
                              f"the templates are: {known}") from None


def schemas() -> dict[str, Mapping[str, Any]]:
    """Every template's name and JSON Schema, as one JSON object."""
    return {name: template.schema for name, template in catalogue().items()}


def validate(name: str, data: Any) -> dict[str, Any]:
    """`data` checked against the template `name` and normalised, else `InvalidTemplateData`."""
    return get_template(name).validate(data)


__all__ = ["Template", "catalogue", "get_template", "schemas", "validate"]
