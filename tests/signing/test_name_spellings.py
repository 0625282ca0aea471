"""`signing.name_spellings`: a name matched in every spelling ISO 32000-2, 7.3.5 allows."""

from __future__ import annotations

import re

import pytest

from signing.name_spellings import spelled

NAME = re.compile(b"/" + spelled(b"ActualText") + rb"(?![^\s/\[\]<>(){}%])")


@pytest.mark.parametrize("written", [b"/ActualText", b"/Actual#54ext", b"/#41ctual#54ext",
                                     b"/#41#63#74#75#61#6C#54#65#78#74", b"/Actual#54#65xt"])
def test_every_spelling_matches(written):
    assert NAME.fullmatch(written)


@pytest.mark.parametrize("written", [b"/Actualtext", b"/Actual#74ext", b"/Actual#5", b"/ActualTexts",
                                     b"/ActualText#20", b"/Actual#2354ext"])
def test_other_names_do_not(written):
    assert not NAME.fullmatch(written)
