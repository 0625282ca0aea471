"""Check that an API's OpenAPI description matches what its endpoints answer (the documents and
the verification APIs' tests): every answer given is listed, every answer listed is given."""

from __future__ import annotations

import re
from collections.abc import Iterable

import jsonschema


def error_named(description: str, error: str) -> bool:
    """Whether a response's description names the `error` code (as a word)."""
    return re.search(rf"(?<![\w]){re.escape(error)}(?![\w])", description) is not None


def check_answers(document: dict, method: str, path: str, answers: Iterable,
                  *, retry_after: tuple[str, ...] = ("503",)) -> set[str]:
    """Assert that each of `answers` (test-client responses of `method path`) is one the
    operation lists (status, body schema, `error` code named in its description, required
    headers, a Retry-After on the statuses in `retry_after`) and that every status listed (but
    "4XX") was given. Returns the error codes given."""
    operation = document["paths"][path][method]
    described = {status for status in operation["responses"] if status != "4XX"}
    given, errors = set(), set()
    for response in answers:
        status = str(response.status_code)
        given.add(status)
        answer = operation["responses"].get(status)
        assert answer is not None, (path, status, response.get_json(), sorted(described))
        schema = answer["content"]["application/json"]["schema"]
        jsonschema.validate(response.get_json(), {**schema, "components": document["components"]})
        if response.status_code >= 400:
            error = response.get_json()["error"]
            errors.add(error)
            assert error_named(answer["description"], error), (path, status, error, answer["description"])
        for header, header_description in answer.get("headers", {}).items():
            if header_description.get("required"):
                assert header in response.headers, (path, status, header)
        if status in retry_after:
            assert "Retry-After" in response.headers, (path, status, response.get_json())
            assert answer["headers"]["Retry-After"].get("required"), (path, status)
    assert given == described, (path, "described but never given" if described - given
                                else "given but not described", described ^ given)
    return errors


def undocumented(errors: set[str]) -> set[str]:
    """The error codes of `errors` that the agencies' guide's table of errors does not list
    (docs/agencies.md: what an agency developer should do about each)."""
    from idp.developers.views import SOURCE

    listed = set(re.findall(r"^\| (.*?) \|", SOURCE.read_text(encoding="utf-8"), re.M))
    codes = {code for row in listed for code in re.findall(r"`(\w+)`", row)}
    return errors - codes
