"""keys.jose: the JSON of the provider's own JWS (claims and protected headers)."""

from __future__ import annotations

import json

import pytest

from keys.jose import encode_json


@pytest.mark.parametrize("value", [
    {"iss": "https://idp.example", "exp": 1, "amr": ["hwk", "user"], "name": "José Núñez", "cnf": {"jkt": "x"}},
    {"n": 1.5, "big": 10**30, "none": None, "yes": True, "quote": "a\"b\\c\n", "nested": [[], {}]},
])
def test_claims_are_encoded_as_compact_json_dumps_encodes_them(value):
    assert encode_json(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def test_a_value_json_cannot_encode_is_refused_as_json_dumps_refuses_it():
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        encode_json({"x": object()})
