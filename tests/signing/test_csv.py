"""The verification code (CSV): randomness, grouping, check symbol, forgiving input."""

from __future__ import annotations

import re

import pytest

from signing import csv
from signing.errors import InvalidCode

CODE_FORM = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}")


def test_a_code_has_at_least_80_random_bits_in_groups_of_four():
    assert csv.RANDOM_BITS >= 80
    code = csv.generate()
    assert CODE_FORM.fullmatch(code), code
    body = code.replace("-", "")
    assert len(body) == 20
    assert csv.check_symbol(body[:-1]) == body[-1]


def test_codes_use_the_whole_alphabet_and_never_a_look_alike():
    codes = {csv.generate() for _ in range(2000)}
    assert len(codes) == 2000
    used = set("".join(codes).replace("-", ""))
    assert used == set(csv.ALPHABET)
    assert not used & set("ILOU")


def test_normalise_forgives_case_spaces_hyphens_and_look_alikes():
    code = csv.generate()
    body = code.replace("-", "")
    sloppy = " ".join(body[i:i + 2] for i in range(0, 20, 2)).lower()
    assert csv.normalise(sloppy) == code
    assert csv.normalise(f"  {code}  ") == code
    known = "0123-4567-89AB-CDEF-GHJ"
    known += csv.check_symbol(known.replace("-", ""))
    canonical = csv.normalise(known)
    assert csv.normalise(canonical.replace("0", "O").replace("1", "l")) == canonical
    assert csv.normalise(canonical.replace("1", "I").lower()) == canonical


def test_every_single_typing_mistake_is_caught():
    code = csv.generate().replace("-", "")
    for position in range(20):
        for symbol in csv.ALPHABET:
            if symbol == code[position]:
                continue
            typo = code[:position] + symbol + code[position + 1:]
            with pytest.raises(InvalidCode, match="typing mistake"):
                csv.normalise(typo)


def test_most_swaps_of_neighbours_are_caught():
    caught = total = 0
    for _ in range(50):
        code = csv.generate().replace("-", "")
        for i in range(19):
            if code[i] == code[i + 1]:
                continue
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            total += 1
            caught += not csv.is_valid(swapped)
    assert caught / total > 0.95


@pytest.mark.parametrize(("typed", "message"), [
    ("ABCD-EFGH", "the verification code has 20 characters, but 8 were given"),
    ("ABCD-EFGH-JKMN-PQRS-TVWXY", "the verification code has 20 characters, but 21 were given"),
    ("ABCD-EFGH-JKMN-PQRS-TVWU",
     "the verification code contains 'U', which is never used: codes have only digits "
     "and the letters ABCDEFGHJKMNPQRSTVWXYZ"),
    ("ABCD-EFGH-JKMN-PQRS-TVW#",
     "the verification code contains '#', which is never used: codes have only digits "
     "and the letters ABCDEFGHJKMNPQRSTVWXYZ"),
    ("A" * 65, "the verification code has 20 characters; the text given is 65 characters long"),
])
def test_malformed_codes_say_what_is_wrong(typed, message):
    with pytest.raises(InvalidCode) as caught:
        csv.normalise(typed)
    assert str(caught.value) == message


def test_the_verification_url_is_the_issuer_verify_path_and_the_code():
    code = csv.generate()
    assert (csv.verification_url(issuer="https://cedula.example/", code=code.lower())
            == f"https://cedula.example/verify/{code}")
