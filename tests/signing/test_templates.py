"""Templates: their JSON Schemas, and data checked field by field with plain messages."""

from __future__ import annotations

import json
from datetime import date

import pytest
from jsonschema import Draft202012Validator

from signing.data_problems import InvalidTemplateData
from signing.errors import UnknownTemplate
from signing.templates import catalogue, get_template, schemas, validate
from tests.signing.samples import sample


def _objects(schema):
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            yield schema
        for value in schema.values():
            yield from _objects(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _objects(value)


def _problems(name, data, language="en", **kwargs):
    with pytest.raises(InvalidTemplateData) as caught:
        get_template(name).validate(data, **kwargs)
    return {(f["path"], f["message"]) for f in caught.value.fields(language)}


def test_the_catalogue_has_a_residence_and_a_birth_certificate():
    assert list(catalogue()) == ["birth", "residence"]
    assert get_template("residence").name == "residence"


def test_schemas_are_strict_documented_draft_2020_12_json():
    published = json.loads(json.dumps(schemas()))
    assert set(published) == {"birth", "residence"}
    for schema in published.values():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)
        for obj in _objects(schema):
            assert obj["additionalProperties"] is False
            for name, prop in obj["properties"].items():
                assert prop.get("title") and prop.get("description"), name


def test_dates_are_declared_as_dates():
    assert schemas()["residence"]["properties"]["resident_since"]["format"] == "date"
    assert schemas()["birth"]["properties"]["born_on"]["format"] == "date"


@pytest.mark.parametrize("name", ["residence", "birth"])
def test_valid_data_comes_back_normalised(name):
    data = sample(name, holder=True)
    assert validate(name, data) == data
    messy = sample(name, holder=True)
    key = "full_name" if name == "residence" else "given_names"
    messy[key] = "  I\u0301n\u0303igo \n  Ortega  "
    assert validate(name, messy)[key] == "Íñigo Ortega"


def test_every_missing_field_is_named_with_its_path():
    data = sample("birth", holder=True)
    del data["sex"]
    del data["place_of_birth"]["country"]
    del data["registry"]["entry"]
    data["parents"][1] = {"relationship": "father"}
    assert _problems("birth", data) == {
        ("$.sex", "this field is missing."),
        ("$.place_of_birth.country", "this field is missing."),
        ("$.registry.entry", "this field is missing."),
        ("$.parents[1].full_name", "this field is missing."),
    }


def test_wrong_values_are_named_with_a_plain_message_in_each_language():
    data = sample("residence", holder=True)
    data["resident_since"] = "2019-02-30"
    data["identity_document"]["kind"] = "driving_licence"
    data["household"][0]["relationship"] = "cousin"
    data["municipality"] = 28079
    data["address"]["postal_code"] = "??"
    data["nickname"] = "Majo"
    data["full_name"] = " "
    assert _problems("residence", data) == {
        ("$.resident_since", "must be a valid date written YYYY-MM-DD, for example 2024-05-31."),
        ("$.identity_document.kind", "must be one of these values: national_id, passport, "
                                     "residence_permit, other."),
        ("$.household[0].relationship", "must be one of these values: spouse, partner, child, "
                                        "parent, sibling, grandchild, grandparent, "
                                        "other_relative, other."),
        ("$.municipality", "must be text."),
        ("$.address.postal_code", "does not have the expected form, for example: 28013."),
        ("$.nickname", "this field is not part of the template."),
        ("$.full_name", "must not be empty."),
    }
    spanish = dict(_problems("residence", data, "es"))
    assert spanish["$.municipality"] == "debe ser un texto."
    assert spanish["$.nickname"] == "este campo no existe en la plantilla."


def test_the_description_names_every_bad_field():
    data = sample("birth", holder=True)
    data["time_of_birth"] = "25:00"
    data["parents"] = []
    with pytest.raises(InvalidTemplateData) as caught:
        validate("birth", data)
    assert caught.value.description("en") == (
        "The data does not fit the template “birth”: "
        "$.parents: must have at least 1 items. "
        "$.time_of_birth: does not have the expected form, for example: 14:30.")
    assert caught.value.fields("es")[1] == {
        "path": "$.time_of_birth", "pointer": "/time_of_birth",
        "message": "no tiene la forma esperada, por ejemplo: 14:30."}


def test_text_the_document_cannot_print_is_refused():
    data = sample("residence", holder=True)
    data["household"][0]["full_name"] = "Дмитрий 李"
    assert _problems("residence", data) == {
        ("$.household[0].full_name", "contains characters the document cannot print: "
                                     "Д м и т р й 李."),
    }


def test_dates_must_be_past_and_in_order():
    data = sample("birth", holder=True)
    data["registered_on"] = "2015-07-01"
    assert _problems("birth", data) == {
        ("$.registered_on", "must not be before the date of birth.")}
    assert _problems("birth", sample("birth", holder=True), today=date(2015, 7, 10)) == {
        ("$.registered_on", "must not be a date in the future.")}
    data = sample("residence", holder=True)
    data["household"][0]["date_of_birth"] = "2031-01-01"
    assert _problems("residence", data, today=date(2030, 1, 1)) == {
        ("$.household[0].date_of_birth", "must not be a date in the future.")}


def test_field_names_that_are_not_identifiers_get_a_bracketed_path():
    data = sample("residence", holder=True)
    data["it's a/b"] = 1
    with pytest.raises(InvalidTemplateData) as caught:
        validate("residence", data)
    assert caught.value.fields("en") == [{
        "path": "$['it\\'s a/b']", "pointer": "/it's a~1b",
        "message": "this field is not part of the template."}]


@pytest.mark.parametrize("data", [[], "text", None, 3])
def test_data_that_is_not_an_object_is_refused(data):
    assert _problems("residence", data) == {("$", "the document data must be a JSON object.")}


def test_an_unknown_template_is_named():
    with pytest.raises(UnknownTemplate) as caught:
        get_template("marriage")
    assert str(caught.value) == ("no document template is named 'marriage'; "
                                 "the templates are: birth, residence")
