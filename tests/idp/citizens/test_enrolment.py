"""Enrolment fields: validation and normalisation, every error at once."""

from __future__ import annotations

from datetime import date

import pytest

from idp.citizens.enrolment import EnrolmentData, validate
from idp.citizens.errors import InvalidFields
from idp.citizens.national_id import load_scheme
from tests.idp.conftest import fields

TODAY = date(2026, 11, 22)


def run(minimum_age: int = 0, **overrides):
    return validate(fields(**overrides), scheme=load_scheme("sv-dui"), minimum_age=minimum_age,
                    today=TODAY)


def errors(**overrides) -> dict[str, str]:
    with pytest.raises(InvalidFields) as caught:
        run(**overrides)
    return caught.value.errors


def test_valid_fields_are_normalised():
    data = run(given_name="  Ana   María ", national_id="04892613 5", email="Ana@EXAMPLE.SV ")
    assert data == EnrolmentData(given_name="Ana María", family_name="López Pérez",
                                 birthdate=date(1990, 5, 17), national_id_scheme="sv-dui",
                                 national_id="04892613-5", email="Ana@example.sv")
    assert EnrolmentData.from_json(data.to_json()) == data


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"given_name": ""}, {"given_name": "enrol.error.required"}),
    ({"family_name": None}, {"family_name": "enrol.error.required"}),
    ({"given_name": "x" * 101}, {"given_name": "enrol.error.too_long"}),
    ({"given_name": "Ana\u0000"}, {"given_name": "enrol.error.name"}),
    ({"given_name": "1234"}, {"given_name": "enrol.error.name"}),
    # Before: accepted, printed in the certificate as the person's name (confusables).
    ({"given_name": "M\u0430ría"}, {"given_name": "enrol.error.name_script"}),  # Cyrillic a
    ({"family_name": "P\u0435rez"}, {"family_name": "enrol.error.name_script"}),  # Cyrillic e
    ({"given_name": "\U0001d40c\U0001d41a\U0001d42b\U0001d422\U0001d41a"},  # mathematical bold
     {"given_name": "enrol.error.name_script"}),
    ({"family_name": "Ｌópez"}, {"family_name": "enrol.error.name_script"}),  # full-width L
    ({"birthdate": "17/05/1990"}, {"birthdate": "enrol.error.birthdate_format"}),
    ({"birthdate": "19900517"}, {"birthdate": "enrol.error.birthdate_format"}),
    ({"birthdate": "2027-01-01"}, {"birthdate": "enrol.error.birthdate_range"}),
    ({"birthdate": "1850-01-01"}, {"birthdate": "enrol.error.birthdate_range"}),
    ({"birthdate": ["1990-01-01"]}, {"birthdate": "enrol.error.required"}),
    ({"national_id": "04892613-4"}, {"national_id": "national_id.error.check"}),
    ({"national_id": "abc"}, {"national_id": "national_id.error.format"}),
    ({"national_id": 48926135}, {"national_id": "enrol.error.required"}),
    ({"email": "ana@localhost"}, {"email": "enrol.error.email"}),
    ({"email": "a b@example.sv"}, {"email": "enrol.error.email"}),
    ({"email": {"x": 1}}, {"email": "enrol.error.required"}),
])
def test_each_wrong_field_is_named(overrides, expected):
    assert errors(**overrides) == expected


def test_names_of_one_script_with_accents_and_apostrophes_are_accepted():
    data = run(given_name="José Ñandú", family_name="O’Connor D'Aubuisson-Martínez")
    assert (data.given_name, data.family_name) == ("José Ñandú", "O’Connor D'Aubuisson-Martínez")
    assert run(given_name="Ἀλέξανδρος", family_name="Παπαδόπουλος").given_name == "Ἀλέξανδρος"


def test_all_errors_at_once_in_form_order():
    found = errors(email="", given_name="", national_id="1")
    assert list(found) == ["given_name", "national_id", "email"]


def test_minimum_age():
    with pytest.raises(InvalidFields) as caught:
        run(minimum_age=18, birthdate="2008-11-23")
    assert caught.value.errors == {"birthdate": "enrol.error.too_young"}
    assert run(minimum_age=18, birthdate="2008-11-22").birthdate == date(2008, 11, 22)
