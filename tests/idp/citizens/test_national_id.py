"""National identity number schemes: DUI, DNI/NIE, CURP, and plug-ins."""

from __future__ import annotations

import string
from datetime import date

import pytest

from idp.citizens.national_id import (
    BUILT_IN,
    InvalidNationalId,
    NationalIdScheme,
    load_scheme,
)
from infra.i18n import Catalog, translations_dir
from tests.support.national_ids import dui_check_digit

DUI = load_scheme("sv-dui")
DNI = load_scheme("es-dni")
CURP = load_scheme("mx-curp")


def refused(scheme: NationalIdScheme, raw) -> InvalidNationalId:
    with pytest.raises(InvalidNationalId) as info:
        scheme.normalise(raw)
    assert info.value.scheme == scheme.code
    return info.value


def other_characters(correct: str, alphabet: str) -> list[str]:
    others = [c for c in alphabet if c != correct]
    assert len(others) == len(alphabet) - 1
    return others


# --- loading ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "country"), [("sv-dui", "SV"), ("es-dni", "ES"),
                                               ("mx-curp", "MX")])
def test_built_in_schemes(name, country):
    scheme = load_scheme(name)
    assert isinstance(scheme, NationalIdScheme)
    assert scheme.code == name
    assert scheme.country == country
    assert scheme.normalise(scheme.example) == scheme.example
    assert scheme.label_key == f"national_id.{name}.label"
    assert scheme.hint_key == f"national_id.{name}.hint"


def test_the_default_setting_is_a_built_in_scheme():
    from infra.config import load_settings

    assert load_scheme(load_settings({})["enrolment"]["national_id_scheme"]).code == "sv-dui"


@pytest.mark.parametrize("name", ["", "sv", "SV-DUI", "fr-insee", "sv-dui ", "idp.nope"])
def test_unknown_scheme_names_are_refused(name):
    with pytest.raises(ValueError, match="unknown national identity number scheme") as info:
        load_scheme(name)
    assert "es-dni, mx-curp, sv-dui" in str(info.value)
    assert "package.module:ClassName" in str(info.value)


# --- El Salvador: DUI -------------------------------------------------------------------


@pytest.mark.parametrize("number", ["04892613-5", "01234567-8", "00016297-5", "12345678-4",
                                    "00000000-0", "99999999-4", "07654321-2"])
def test_dui_valid(number):
    assert dui_check_digit(number[:8]) == number[9]
    assert DUI.normalise(number) == number


def test_dui_transposed_digits_are_refused():
    assert refused(DUI, "48092613-5").reason == "check"


@pytest.mark.parametrize("raw", [
    "", "   ", "0489261-5", "048926135-5", "04892613-55", "04892613--5", "04892613_5",
    "0489261A-5", "04892613-A", "-048926135", "04892613/5",
    "０４８９２６１３-５",  # full-width digits
    "٠٤٨٩٢٦١٣-٥",  # Arabic-Indic digits
])
def test_dui_format_errors(raw):
    error = refused(DUI, raw)
    assert error.reason == "format"


def test_dui_format_error_message_says_what_was_expected_without_the_number():
    error = refused(DUI, "4892613-5")
    assert str(error) == ("sv-dui: expected 8 digits, an optional hyphen and a check digit "
                          "(NNNNNNNN-D); got 9 characters")
    assert "4892613" not in str(error)  # safe to log


@pytest.mark.parametrize("raw", [None, 48926135, b"04892613-5"])
def test_non_text_is_a_format_error(raw):
    error = refused(DUI, raw)
    assert error.reason == "format"
    assert "expected text" in str(error)


# --- Spain: DNI and NIE -----------------------------------------------------------------

LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


@pytest.mark.parametrize("number", ["12345678Z", "00000000T", "00000023T", "99999999R",
                                    "11111111H", "X1234567L", "Y1234567X", "Z1234567R",
                                    "X0000000T"])
def test_dni_and_nie_valid(number):
    digits = number[:-1].replace("X", "0").replace("Y", "1").replace("Z", "2")
    assert LETTERS[int(digits) % 23] == number[-1]
    assert DNI.normalise(number) == number


def test_dni_every_single_digit_error_is_refused():
    # mod 23 detects every single changed digit: 23 divides no d * 10^k with 0 < |d| < 10.
    number = "12345678Z"
    for position in range(8):
        for digit in other_characters(number[position], string.digits):
            changed = number[:position] + digit + number[position + 1:]
            assert refused(DNI, changed).reason == "check", changed


@pytest.mark.parametrize("raw", [
    "", "1234567Z", "123456789Z", "12345678", "12345678ZZ", "Z12345678", "A1234567L",
    "X12345678L", "X123456L", "12345678Ñ", "12345678_Z", "XX234567L", "12345678 Z1",
])
def test_dni_format_errors(raw):
    assert refused(DNI, raw).reason == "format"


# --- Mexico: CURP -----------------------------------------------------------------------

ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"

# Published examples (python-stdnum, RENAPO samples), born before and after 2000.
VALID_CURPS = ["BOXW310820HNERXN09", "MAAR790213HMNRLF03", "HEGG560427MVZRRL04",
               "TUAZ790213HMNRLF02", "TUAZ040213MCLRLFA7", "JIAZ040213MCLRLFA6"]


def curp_check_digit(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, range(18, 1, -1), strict=True))
    return str((10 - total % 10) % 10)


def curp(first16: str, *, differentiator: str = "0") -> str:
    """A CURP with a correct check digit, for format tests that must not fail on the check."""
    first17 = first16 + differentiator
    return first17 + curp_check_digit(first17)


@pytest.mark.parametrize("number", VALID_CURPS)
def test_curp_valid(number):
    assert curp_check_digit(number[:17]) == number[17]
    assert CURP.normalise(number) == number


def test_curp_changed_character_is_refused():
    assert refused(CURP, "BOXW310820HNERXM09").reason == "check"


def test_curp_birthdate_and_century():
    assert CURP.birthdate("BOXW310820HNERXN09") == date(1931, 8, 20)
    assert CURP.birthdate("TUAZ040213MCLRLFA7") == date(2004, 2, 13)


@pytest.mark.parametrize(("number", "why"), [
    (curp("BOXW310230HNERXN"), "30 February"),
    (curp("BOXW311320HNERXN"), "month 13"),
    (curp("BOXW310800HNERXN"), "day 0"),
    (curp("BOXW310832HNERXN"), "day 32"),
    (curp("BOXW000229HNERXN"), "1900 was not a leap year"),
    (curp("BOXW990101HNERXN", differentiator="A"), "born in 2099"),
])
def test_curp_embedded_date_must_be_a_real_past_date(number, why):
    error = refused(CURP, number)
    assert error.reason == "format", why


def test_curp_29_february_2000_is_a_date():
    number = curp("BOXW000229HNERXN", differentiator="A")
    assert CURP.normalise(number) == number
    assert CURP.birthdate(number) == date(2000, 2, 29)


@pytest.mark.parametrize("state", ["AS", "DF", "NE", "ZS", "YN", "CH"])
def test_curp_state_codes_accepted(state):
    number = curp(f"BOXW310820H{state}RXN")
    assert CURP.normalise(number) == number


@pytest.mark.parametrize("state", ["XX", "CX", "AA", "EU", "US"])
def test_curp_unknown_state_codes_are_refused(state):
    error = refused(CURP, curp(f"BOXW310820H{state}RXN"))
    assert error.reason == "format"
    assert str(error) == f"mx-curp: {state!r} is not a state code of birth"


@pytest.mark.parametrize(("number", "why"), [
    ("BOXW310820HNERXN0", "17 characters"),
    ("BOXW310820HNERXN090", "19 characters"),
    (curp("BBXW310820HNERXN"), "second letter must be a vowel or X"),
    (curp("1OXW310820HNERXN"), "first character must be a letter"),
    (curp("BOXW31082AHNERXN"), "date must be digits"),
    (curp("BOXW310820QNERXN"), "sex must be H, M or X"),
    (curp("BOXW310820HNEAXN"), "inner consonants: A is a vowel"),
    (curp("BOXW310820HNER1N"), "inner consonants: not a digit"),
    ("BOXW310820HNERXN0A", "check digit must be a digit"),
    ("BOXW310820HNERXÑ09", "Ñ is written X"),
    ("BOXW310820HNERXN-_09", "underscore"),
])
def test_curp_format_errors(number, why):
    assert refused(CURP, number).reason == "format", why


# --- how a number may be written, in every scheme ------------------------------------------

# scheme -> (as typed, what is stored): spaces, separators and case are not part of the number.
WRITTEN = {
    DUI: [("048926135", "04892613-5"),
          (" 04892613-5 ", "04892613-5"),
          ("0489 2613 5", "04892613-5"),
          ("04892613 - 5", "04892613-5"),
          ("\u00a004892613-5\t", "04892613-5")],
    DNI: [("12345678z", "12345678Z"),
          ("12345678-Z", "12345678Z"),
          ("12.345.678-z", "12345678Z"),
          (" 12345678 Z ", "12345678Z"),
          ("x1234567l", "X1234567L"),
          ("X-1234567-L", "X1234567L"),
          ("y 1234567 x", "Y1234567X")],
    CURP: [(" boxw310820hnerxn09 ", "BOXW310820HNERXN09"),
           ("BOXW 3108 20HN ERXN 09", "BOXW310820HNERXN09"),
           ("BOXW-310820-HNERXN-09", "BOXW310820HNERXN09")],
}


@pytest.mark.parametrize(("scheme", "raw", "canonical"), [
    pytest.param(scheme, raw, canonical, id=f"{scheme.code}-{raw!r}")
    for scheme, written in WRITTEN.items() for raw, canonical in written])
def test_normalisation(scheme, raw, canonical):
    assert scheme.normalise(raw) == canonical


# --- the check character, last in every scheme -------------------------------------------

# scheme -> (what the check character can be, the error, numbers whose check character is right)
CHECK_CHARACTERS = {
    DUI: (string.digits, "sv-dui: the check digit does not match the 8 digits",
          ["04892613-5", "01234567-8", "00000000-0"]),
    DNI: (string.ascii_uppercase, "es-dni: the control letter does not match the digits",
          ["12345678Z", "X1234567L", "Y1234567X", "Z1234567R"]),
    CURP: (string.digits, "mx-curp: the check digit does not match the first 17 characters",
           VALID_CURPS),
}


@pytest.mark.parametrize(("scheme", "number"), [
    pytest.param(scheme, number, id=f"{scheme.code}-{number}")
    for scheme, (_, _, numbers) in CHECK_CHARACTERS.items() for number in numbers])
def test_every_wrong_check_character_is_refused(scheme, number):
    alphabet, message, _ = CHECK_CHARACTERS[scheme]
    for character in other_characters(number[-1], alphabet):
        error = refused(scheme, number[:-1] + character)
        assert error.reason == "check", character
        assert str(error) == message


# --- plug-ins ---------------------------------------------------------------------------


class ZZ7(NationalIdScheme):
    """A test plug-in: seven digits, the last the sum of the others mod 10."""

    code = "zz-seven"
    country = "ZZ"
    example = "1234561"

    def normalise(self, raw: str) -> str:
        value = self._compact(raw)
        if len(value) != 7 or not value.isdigit():
            raise self._invalid("format", "expected 7 digits")
        if sum(map(int, value[:6])) % 10 != int(value[6]):
            raise self._invalid("check", "wrong last digit")
        return value


class NotAScheme:
    code = "zz-none"
    country = "ZZ"
    example = "1"


class Abstract(NationalIdScheme):
    code = "zz-abstract"
    country = "ZZ"
    example = "1"


class BadCode(ZZ7):
    code = "Seven"


class BadCountry(ZZ7):
    country = "zz"


class CountryMismatch(ZZ7):
    country = "YY"


class WrongExample(ZZ7):
    example = "1234567"


class UncanonicalExample(ZZ7):
    example = "123 4561"


class NeedsArguments(ZZ7):
    def __init__(self, table: dict) -> None:
        self.table = table


HERE = __name__


def test_plug_in_is_loaded_by_module_and_class():
    scheme = load_scheme(f"{HERE}:ZZ7")
    assert isinstance(scheme, ZZ7)
    assert (scheme.code, scheme.country) == ("zz-seven", "ZZ")
    assert scheme.normalise(" 123 456 1 ") == "1234561"
    assert refused(scheme, "1234562").reason == "check"
    assert refused(scheme, "12345").reason == "format"
    assert load_scheme(f"{HERE}:ZZ7") is scheme  # loaded once


@pytest.mark.parametrize(("name", "message"), [
    ("tests.idp.citizens.no_such_module:ZZ7", "cannot import module "
                                              "'tests.idp.citizens.no_such_module'"),
    (f"{HERE}:NoSuchClass", f"module '{HERE}' has no 'NoSuchClass'"),
    (f"{HERE}:NotAScheme", "expected a subclass of idp.citizens.national_id.NationalIdScheme"),
    (f"{HERE}:HERE", "expected a subclass of idp.citizens.national_id.NationalIdScheme"),
    (f"{HERE}:Abstract", "cannot be created without arguments"),
    (f"{HERE}:NeedsArguments", "cannot be created without arguments"),
    (f"{HERE}:BadCode", "code must look like 'sv-dui'"),
    (f"{HERE}:BadCountry", "country must be an ISO 3166-1 alpha-2 code"),
    (f"{HERE}:CountryMismatch", "code 'zz-seven' must start with its country 'YY'"),
    (f"{HERE}:WrongExample", "refuses its own example"),
    (f"{HERE}:UncanonicalExample", "its example is not in canonical form"),
])
def test_bad_plug_ins_are_refused_with_a_clear_message(name, message):
    with pytest.raises(ValueError, match="national identity number scheme") as info:
        load_scheme(name)
    assert message in str(info.value)


# --- messages ---------------------------------------------------------------------------


def test_every_built_in_scheme_has_its_messages_in_both_languages():
    catalog = Catalog(["es", "en"])
    catalog.load(translations_dir("idp"))
    assert [m for m in catalog.missing() if m.startswith("national_id.")] == []
    for code, cls in BUILT_IN.items():
        scheme = load_scheme(code)
        for lang in ("es", "en"):
            assert catalog.get(scheme.label_key, lang)
            assert cls.example in catalog.get(scheme.hint_key, lang)
    for reason in ("format", "check"):
        assert catalog.messages[f"national_id.error.{reason}"].keys() == {"es", "en"}
