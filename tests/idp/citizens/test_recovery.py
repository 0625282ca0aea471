"""Recovery codes: format, entropy, normalisation, keyed hashing."""

from __future__ import annotations

import math
import re
import uuid

from idp.citizens import recovery


def test_codes_have_sixty_bits_and_no_lookalikes():
    assert len(recovery.ALPHABET) == 32 and not set("01IO") & set(recovery.ALPHABET)
    assert recovery.LENGTH * math.log2(len(recovery.ALPHABET)) >= 60
    code = recovery.generate_code()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code)


def test_normalise_ignores_case_spaces_and_hyphens():
    assert recovery.normalise_code(" k7qm 4tzx-9whb ") == "K7QM4TZX9WHB"
    assert recovery.normalise_code("K7QM-4TZX-9WH") is None
    assert recovery.normalise_code("K7QM-4TZX-9WH0") is None  # 0 is not in the alphabet


def test_hash_is_keyed_and_bound_to_the_citizen():
    citizen, other = uuid.uuid4(), uuid.uuid4()
    key = b"k" * 32
    digest = recovery.code_hash(key, citizen, "K7QM-4TZX-9WHB")
    assert digest == recovery.code_hash(key, citizen, "k7qm4tzx9whb")
    assert digest != recovery.code_hash(key, other, "K7QM-4TZX-9WHB")
    assert digest != recovery.code_hash(b"j" * 32, citizen, "K7QM-4TZX-9WHB")
