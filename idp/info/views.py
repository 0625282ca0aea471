"""/help, /privacy, /accessibility, /contact: static content from the catalogs, filled in with
the operator's `[organisation]` settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import Blueprint, current_app, render_template

from infra.components import Slot
from infra.config import ConfigError
from infra.email_address import is_email_address

bp = Blueprint("info", __name__)


@dataclass(frozen=True)
class Organisation:
    """Who runs this Cédula and how to reach them (`[organisation]`)."""

    name: str
    email: str
    phone: str
    address: str
    hours: str
    privacy_email: str
    accessibility_email: str
    supervisory_authority: str
    supervisory_authority_url: str


def organisation(settings: Mapping[str, Any]) -> Organisation:
    section = settings.get("organisation", {})
    values = {}
    for field in Organisation.__dataclass_fields__:  # every field is text
        value = section.get(field, "")
        if not isinstance(value, str):
            raise ConfigError(f"organisation.{field} must be text, got {value!r}")
        values[field] = value.strip()
    if not values["name"] or not values["email"]:
        raise ConfigError("organisation.name and organisation.email must be set: the help, privacy "
                          "and contact pages tell citizens who runs the service and how to reach them")
    for field in ("email", "privacy_email", "accessibility_email"):  # shown as mailto: links
        if values[field] and not is_email_address(values[field]):
            raise ConfigError(f"organisation.{field} must be an e-mail address (user@host), got {values[field]!r}")
    values["privacy_email"] = values["privacy_email"] or values["email"]
    values["accessibility_email"] = values["accessibility_email"] or values["email"]
    return Organisation(**values)


ORGANISATION: Slot[Organisation] = Slot("organisation")


# Each page: its path, its endpoint (templates link to it with url_for) and its template.
PAGES = (("/help", "help_page", "help"), ("/privacy", "privacy", "privacy"),
         ("/accessibility", "accessibility", "accessibility"), ("/contact", "contact", "contact"))


def _page(template: str) -> str:
    return render_template(f"info/{template}.html", organisation=ORGANISATION.of(current_app))


for _path, _endpoint, _template in PAGES:
    bp.add_url_rule(_path, _endpoint, partial(_page, _template), methods=["GET"])
