"""The verification code (Código Seguro de Verificación, CSV) printed on every issued document.

A code is 19 random symbols (95 bits from `secrets`) and one check symbol, written in
Crockford's Base32 alphabet (https://www.crockford.com/base32.html), which has no look-alike
pairs: it uses 0 and 1 but never O, I or L, and no U. It is printed in five groups of four,
easy to read aloud: `7KQ4-M2XH-9PRT-WC3N-B8DZ`.

The check symbol is Luhn mod 32 over the other symbols, so a single mistyped symbol and most
swaps of two neighbours are caught before any lookup. People may type the code in any case,
with or without spaces or hyphens, and with O for 0 and I or L for 1 (Crockford's decoding).
"""

from __future__ import annotations

import secrets

from signing.errors import InvalidCode

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_SYMBOLS = 19
LENGTH = RANDOM_SYMBOLS + 1
GROUP = 4
RANDOM_BITS = RANDOM_SYMBOLS * 5

_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_LOOK_ALIKES = {"O": "0", "I": "1", "L": "1"}
_SEPARATORS = frozenset(" \t-‐‑‒–—_.")
_MAX_INPUT = 64


def generate() -> str:
    """A new code with 95 bits of randomness, grouped for reading aloud."""
    number = secrets.randbits(RANDOM_BITS)
    symbols = [ALPHABET[(number >> (5 * i)) & 31] for i in range(RANDOM_SYMBOLS)]
    body = "".join(symbols)
    return _group(body + check_symbol(body))


def check_symbol(body: str) -> str:
    """Luhn mod N (N = 32) check symbol over `body`, a string of alphabet symbols."""
    factor = 2
    total = 0
    for symbol in reversed(body):
        addend = factor * _VALUE[symbol]
        total += addend // 32 + addend % 32
        factor = 3 - factor
    return ALPHABET[(32 - total % 32) % 32]


def normalise(user_input: str) -> str:
    """The canonical grouped code for what someone typed, or `InvalidCode` saying what is wrong.

    Case, spaces and hyphens do not matter; O is read as 0, and I or L as 1.
    """
    if not isinstance(user_input, str):
        raise InvalidCode("the verification code must be text")
    if len(user_input) > _MAX_INPUT:
        raise InvalidCode(f"the verification code has {LENGTH} characters; "
                          f"the text given is {len(user_input)} characters long")
    symbols: list[str] = []
    for char in user_input.upper():
        if char in _SEPARATORS:
            continue
        char = _LOOK_ALIKES.get(char, char)
        if char not in _VALUE:
            raise InvalidCode(f"the verification code contains {char!r}, which is never used: "
                              f"codes have only digits and the letters {ALPHABET[10:]}")
        symbols.append(char)
    if len(symbols) != LENGTH:
        raise InvalidCode(f"the verification code has {LENGTH} characters, "
                          f"but {len(symbols)} were given")
    code = "".join(symbols)
    if check_symbol(code[:-1]) != code[-1]:
        raise InvalidCode("the verification code has a typing mistake: "
                          "please compare it again with the document")
    return _group(code)


def is_blank(user_input: str) -> bool:
    """Whether nothing of a code was typed: no character but spaces and hyphens (a form sent
    empty is asked for the code, not told that a code is wrong)."""
    return all(char in _SEPARATORS for char in user_input)


def is_valid(user_input: str) -> bool:
    try:
        normalise(user_input)
    except InvalidCode:
        return False
    return True


def verification_url(*, issuer: str, code: str) -> str:
    """The address printed in the QR code of a document: `<issuer>/verify/<CSV>`."""
    return f"{issuer.rstrip('/')}/verify/{normalise(code)}"


def _group(code: str) -> str:
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))
