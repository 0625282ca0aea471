"""Certificate of residence (certificado de residencia / de empadronamiento).

What a municipal register of residents certifies: who lives where, since when, and with whom.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from signing.data_problems import FieldProblem
from signing.i18n import text
from signing.render.blocks import Block, Facts, Grid, Heading, Paragraph
from signing.templates import common
from signing.templates.template import Template, problem

RELATIONSHIPS = ("spouse", "partner", "child", "parent", "sibling", "grandchild",
                 "grandparent", "other_relative", "other")

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:cedula:template:residence",
    "title": "Certificate of residence",
    "description": "Who lives at an address, since when, and with whom, as held in the "
                   "register of residents of the issuing agency.",
    "type": "object",
    "additionalProperties": False,
    "required": ["address", "municipality", "province", "resident_since"],
    "properties": {
        "full_name": common.text_field(
            "Full name", "Given names and surnames of the resident: the citizen the document is "
            "issued to. Leave it out to have the register's name printed; if sent, it must be that "
            "name (compared in Unicode NFC, ignoring case and extra spaces), else 422.", 120),
        "identity_document": {
            **common.IDENTITY_DOCUMENT,
            "description": "The document that identifies the resident. Left out, the citizen's "
                           "national ID from the register is printed if the agency was granted the "
                           "national_id scope (otherwise none is); a national_id sent must be the "
                           "citizen's (separators and case aside), else 422.",
        },
        "date_of_birth": common.date_field("Date of birth", "Date of birth of the resident."),
        "nationality": common.text_field("Nationality", "Nationality of the resident.", 60),
        "address": {
            "title": "Address",
            "description": "Where the resident lives.",
            "type": "object",
            "additionalProperties": False,
            "required": ["line"],
            "properties": {
                "line": common.text_field("Street address",
                                    "Street, number, floor and door, as one line.", 160),
                "postal_code": {
                    "title": "Postal code",
                    "description": "Postal code of the address, if the country uses them.",
                    "type": "string",
                    "pattern": "^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$",
                    "examples": ["28013"],
                },
                "locality": common.text_field("Town or neighbourhood",
                                        "Town, village or neighbourhood within the "
                                        "municipality, if it differs from it.", 80),
            },
        },
        "municipality": common.text_field("Municipality", "Municipality of the address.", 80),
        "province": common.text_field("Province, department or state",
                                "The region above the municipality: province, department "
                                "or state.", 80),
        "country": common.text_field("Country", "Country of the address.", 60),
        "resident_since": common.date_field("Living there since",
                                            "Date from which the resident is registered "
                                            "at this address."),
        "register_entry": common.text_field("Register entry",
                                      "Sheet or entry number in the register of residents.",
                                      40),
        "household": {
            "title": "Household",
            "description": "Other people registered at the same address.",
            "type": "array",
            "maxItems": 30,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["full_name", "relationship"],
                "properties": {
                    "full_name": common.text_field("Full name", "Given names and surnames.", 120),
                    "relationship": common.choice_field(
                        "Relationship", "How this person is related to the resident.", RELATIONSHIPS),
                    "date_of_birth": common.date_field("Date of birth",
                                                       "Date of birth of this person."),
                },
            },
        },
        "purpose": common.text_field("Purpose",
                               "Who the certificate will be presented to, if the citizen "
                               "said so.", 200),
    },
}


def present(data: Mapping[str, Any], language: str) -> list[Block]:
    def label(name: str) -> str:
        return text(f"documents.residence.field.{name}", language)

    person = [(label("full_name"), data.get("full_name", "—"))]
    if "identity_document" in data:
        person.append((label("identity_document"), common.identity(data["identity_document"], language)))
    if "date_of_birth" in data:
        person.append((label("date_of_birth"), common.long_date(data["date_of_birth"], language)))
    if "nationality" in data:
        person.append((label("nationality"), data["nationality"]))
    address = data["address"]
    place = [(label("address_line"), address["line"])]
    if "postal_code" in address:
        place.append((label("postal_code"), address["postal_code"]))
    if "locality" in address:
        place.append((label("locality"), address["locality"]))
    place += [(label("municipality"), data["municipality"]), (label("province"), data["province"])]
    if "country" in data:
        place.append((label("country"), data["country"]))
    place.append((label("resident_since"), common.long_date(data["resident_since"], language)))
    if "register_entry" in data:
        place.append((label("register_entry"), data["register_entry"]))

    blocks: list[Block] = [
        Heading(text("documents.residence.section.person", language)), Facts(tuple(person)),
        Heading(text("documents.residence.section.address", language)), Facts(tuple(place)),
    ]
    if data.get("household"):
        rows = tuple((member["full_name"],
                      text(f"documents.relationship.{member['relationship']}", language),
                      common.long_date(member["date_of_birth"], language)
                      if "date_of_birth" in member else "—")
                     for member in data["household"])
        blocks += [Heading(text("documents.residence.section.household", language)),
                   Grid(columns=(label("full_name"), label("relationship"), label("date_of_birth")),
                        rows=rows, widths=(0.46, 0.28, 0.26))]
    if "purpose" in data:
        blocks.append(Paragraph(text("documents.residence.purpose", language,
                                     purpose=data["purpose"].rstrip("."))))
    return blocks


def rules(data: Mapping[str, Any], today: date) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for name in ("date_of_birth", "resident_since"):
        problems += common.future([name], data.get(name), today)
    for i, member in enumerate(data.get("household", [])):
        problems += common.future(["household", i, "date_of_birth"],
                                  member.get("date_of_birth"), today)
    born = data.get("date_of_birth")
    if born and data["resident_since"] < born:
        problems.append(problem(["resident_since"], "documents.error.before_birth"))
    return problems


TEMPLATE = Template(name="residence", schema=SCHEMA, present=present, rules=rules)
