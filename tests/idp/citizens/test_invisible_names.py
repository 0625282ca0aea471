"""A name is printed in certificates and shown to agencies as the person's: characters that
render as nothing (Unicode Default_Ignorable_Code_Point that are not format controls: Hangul
fillers, variation selectors, the combining grapheme joiner, Mongolian and Khmer invisibles)
must not make a name that looks empty, or one that looks like another person's and is another
string. They are letters or combining marks to a category check, so they slipped past it."""

from __future__ import annotations

import pytest

from tests.idp.citizens.test_enrolment import errors, run


@pytest.mark.parametrize("name", [
    "\u115f",  # HANGUL CHOSEONG FILLER: a "letter" that shows nothing
    "\u115f\u1160",
    "Ana\u034f",  # COMBINING GRAPHEME JOINER
    "Ana\ufe0f",  # VARIATION SELECTOR-16
    "An\U000e0100a",  # VARIATION SELECTOR-17
    "Ana\u17b4",  # KHMER VOWEL INHERENT AQ
    "Ana\u180b",  # MONGOLIAN FREE VARIATION SELECTOR ONE
])
def test_invisible_characters_are_refused_in_names(name):
    """Before: accepted as they are (the first two as a blank given name)."""
    assert errors(given_name=name) == {"given_name": "enrol.error.name"}
    assert errors(family_name=name) == {"family_name": "enrol.error.name"}


def test_visible_combining_marks_are_still_accepted():
    assert run(given_name="Jose\u0301").given_name == "José"  # composed (NFC)
    assert run(family_name="Nguyê\u0303n").family_name == "Nguyễn"
