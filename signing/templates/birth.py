"""Birth certificate (certificado de nacimiento, partida de nacimiento).

What a civil registry's record of birth holds: the person, when and where they were born,
their parents, and where the record is kept (office, book, page, entry), with marginal notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from signing.data_problems import FieldProblem
from signing.i18n import text
from signing.render.blocks import Block, Bullets, Facts, Heading
from signing.templates import common
from signing.templates.template import Template, problem

SEXES = ("female", "male", "unspecified")
PARENTS = ("mother", "father", "parent")
_REFERENCE = {"type": "string", "pattern": "^[0-9A-Za-zªº][0-9A-Za-zªº ./-]{0,19}$"}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:cedula:template:birth",
    "title": "Birth certificate",
    "description": "A record of birth as held by the civil registry: the person, the birth, "
                   "the parents, and where the record is kept.",
    "type": "object",
    "additionalProperties": False,
    "required": ["sex", "born_on", "place_of_birth", "parents", "registry", "registered_on"],
    "properties": {
        "given_names": common.text_field(
            "Given names", "Given name or names of the citizen the document is issued to. Leave "
            "it out to have the register's given names printed; if sent, they must be those "
            "(compared in Unicode NFC, ignoring case and extra spaces), else 422.", 80),
        "surnames": common.text_field(
            "Surnames", "Surname or surnames, in the registered order, of the citizen the "
            "document is issued to. Leave it out to have the register's printed; if sent, they "
            "must be those, else 422.", 80),
        "sex": common.choice_field("Sex", "Sex as registered: female, male or unspecified.", SEXES),
        "born_on": common.date_field("Date of birth", "The day the person was born."),
        "time_of_birth": {"title": "Time of birth",
                          "description": "Local time of birth, 24-hour clock, written HH:MM.",
                          "type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
                          "examples": ["14:30"]},
        "place_of_birth": {
            "title": "Place of birth",
            "description": "Where the person was born.",
            "type": "object",
            "additionalProperties": False,
            "required": ["municipality", "province", "country"],
            "properties": {
                "facility": common.text_field("Facility", "Hospital, clinic or other place "
                                              "of birth, if recorded.", 120),
                "municipality": common.text_field("Municipality", "Municipality of birth.", 80),
                "province": common.text_field("Province, department or state",
                                              "Region of the municipality of birth.", 80),
                "country": common.text_field("Country", "Country of birth.", 60),
            },
        },
        "parents": {
            "title": "Parents",
            "description": "The parents as recorded: one or two.",
            "type": "array",
            "minItems": 1,
            "maxItems": 2,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["relationship", "full_name"],
                "properties": {
                    "relationship": common.choice_field("Recorded as", "Mother, father, or parent.",
                                                        PARENTS),
                    "full_name": common.text_field("Full name", "Given names and surnames.",
                                                   120),
                    "nationality": common.text_field("Nationality", "Nationality, if "
                                                     "recorded.", 60),
                },
            },
        },
        "registry": {
            "title": "Record",
            "description": "Where the record of birth is kept.",
            "type": "object",
            "additionalProperties": False,
            "required": ["office", "book", "page", "entry"],
            "properties": {
                "office": common.text_field("Civil registry office",
                                            "Name of the civil registry office.", 120),
                "book": {**_REFERENCE, "title": "Book or volume",
                         "description": "Book or volume (tomo) of the record.",
                         "examples": ["142"]},
                "page": {**_REFERENCE, "title": "Page or folio",
                         "description": "Page or folio of the record.", "examples": ["87"]},
                "entry": {**_REFERENCE, "title": "Entry number",
                          "description": "Number of the entry (acta or inscripción).",
                          "examples": ["2024-1375"]},
                "section": {**_REFERENCE, "title": "Section",
                            "description": "Section of the registry, if it has sections.",
                            "examples": ["1.ª"]},
            },
        },
        "registered_on": common.date_field("Date of registration",
                                           "The day the birth was recorded."),
        "marginal_notes": {
            "title": "Marginal notes",
            "description": "Notes added to the record later (recognitions, changes of name, "
                           "and the like), oldest first.",
            "type": "array",
            "maxItems": 12,
            "items": common.text_field("Note", "One marginal note.", 400),
        },
    },
}


def present(data: Mapping[str, Any], language: str) -> list[Block]:
    def label(name: str) -> str:
        return text(f"documents.birth.field.{name}", language)

    place = data["place_of_birth"]
    where = ", ".join(p for p in (place.get("facility"), place["municipality"], place["province"])
                      if p) + f" ({place['country']})"
    person = [(label("given_names"), data.get("given_names", "—")),
              (label("surnames"), data.get("surnames", "—")),
              (label("sex"), text(f"documents.sex.{data['sex']}", language)),
              (label("born_on"), common.long_date(data["born_on"], language))]
    if "time_of_birth" in data:
        person.append((label("time_of_birth"), data["time_of_birth"]))
    person.append((label("place_of_birth"), where))
    parents = tuple(
        (text(f"documents.parent.{p['relationship']}", language),
         p["full_name"] + (f" ({p['nationality']})" if "nationality" in p else ""))
        for p in data["parents"])
    registry = data["registry"]
    record = [(label("office"), registry["office"])]
    if "section" in registry:
        record.append((label("section"), registry["section"]))
    record += [(label("book"), registry["book"]), (label("page"), registry["page"]),
               (label("entry"), registry["entry"]),
               (label("registered_on"), common.long_date(data["registered_on"], language))]
    blocks: list[Block] = [
        Heading(text("documents.birth.section.person", language)), Facts(tuple(person)),
        Heading(text("documents.birth.section.parents", language)), Facts(parents),
        Heading(text("documents.birth.section.registry", language)), Facts(tuple(record)),
    ]
    if data.get("marginal_notes"):
        blocks += [Heading(text("documents.birth.section.notes", language)),
                   Bullets(tuple(data["marginal_notes"]))]
    return blocks


def rules(data: Mapping[str, Any], today: date) -> list[FieldProblem]:
    problems = common.future(["born_on"], data["born_on"], today)
    problems += common.future(["registered_on"], data["registered_on"], today)
    if data["registered_on"] < data["born_on"]:
        problems.append(problem(["registered_on"], "documents.error.before_birth"))
    return problems


TEMPLATE = Template(name="birth", schema=SCHEMA, present=present, rules=rules)
