"""The document's holder is the citizen it is issued to, as the register knows them.

A document is delivered to one citizen and printed "issued to <register name>"; its own
fields that name the holder (residence: `full_name`, `identity_document`; birth:
`given_names`, `surnames`) must say the same, or a document delivered to X could name Y (and
a wallet could keep a credential naming Y). They are filled from the register when the agency
leaves them out; when it sends them they must match after a sensible normalisation (Unicode
NFC, case folded, spaces collapsed; a national ID compared without separators) and are then
printed as the register writes them, otherwise `InvalidTemplateData` names the field. Other
people in a document (household members, parents) are not the holder and stay the agency's
statement.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from signing.data_problems import FieldProblem, InvalidTemplateData
from signing.service import CitizenRef
from signing.templates.template import problem

_SEPARATORS = str.maketrans("", "", " .-/")


def same_name(sent: str, register: str) -> bool:
    """Whether two spellings of a name are the same name: NFC, case folded, spaces collapsed."""
    def normal(value: str) -> str:
        return " ".join(unicodedata.normalize("NFC", value).casefold().split())

    return normal(sent) == normal(register)


def same_national_id(sent: str, register: str) -> bool:
    """Whether two writings of a national ID number are the same (case and separators aside)."""
    def normal(value: str) -> str:
        return unicodedata.normalize("NFKC", value).upper().translate(_SEPARATORS)

    return normal(sent) == normal(register)


def _name(data: dict[str, Any], field: str, register: str, problems: list[FieldProblem]) -> None:
    sent = data.get(field)
    if sent is None or (isinstance(sent, str) and same_name(sent, register)):
        data[field] = register  # printed as the register writes it
    elif isinstance(sent, str) and sent.strip():
        problems.append(problem([field], "documents.error.not_the_holder"))


def _identity_document(data: dict[str, Any], citizen: CitizenRef, problems: list[FieldProblem], *,
                       fill: bool) -> None:
    sent = data.get("identity_document")
    if sent is None:
        if citizen.national_id and fill:
            data["identity_document"] = {"kind": "national_id", "number": citizen.national_id}
        return  # without a national ID on the register, the agency's document stands (schema)
    if not isinstance(sent, Mapping) or sent.get("kind") != "national_id" or not citizen.national_id:
        return
    number = sent.get("number")
    if isinstance(number, str) and same_national_id(number, citizen.national_id):
        data["identity_document"] = {**sent, "number": citizen.national_id}
    elif isinstance(number, str):
        problems.append(problem(["identity_document", "number"], "documents.error.not_the_holder"))


def bind(template: str, data: Any, citizen: CitizenRef, *, fill_national_id: bool = True) -> Any:
    """`data` with the holder's fields filled from the register (a new dict), or
    `InvalidTemplateData` naming each holder field that names someone else. Data that is not
    an object is returned as it is (the template's schema refuses it). `fill_national_id`
    False: a national ID the agency left out stays out (the document goes to an agency that may
    not learn it: `national_id` is a restricted claim); one it sent is still checked."""
    if not isinstance(data, Mapping):
        return data
    bound = dict(data)
    problems: list[FieldProblem] = []
    if template == "residence":
        _name(bound, "full_name", citizen.full_name, problems)
        _identity_document(bound, citizen, problems, fill=fill_national_id)
    elif template == "birth":
        _name(bound, "given_names", citizen.given_name, problems)
        _name(bound, "surnames", citizen.family_name, problems)
    if problems:
        raise InvalidTemplateData(template, problems)
    return bound


__all__ = ["bind", "same_name", "same_national_id"]
