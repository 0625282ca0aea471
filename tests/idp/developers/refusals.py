"""What a refused registration member answers: `400 invalid_client_metadata`, the sentence
starting with the member's name and saying what to do instead."""

from __future__ import annotations


def refused_naming(answer, member: str, *phrases: str) -> None:
    """`answer` refuses `member`, its sentence naming it first and holding every phrase."""
    assert answer.status_code == 400, answer.get_json()
    body = answer.get_json()
    assert body["error"] == "invalid_client_metadata"
    assert body["error_description"].startswith(f"{member}: "), body
    for phrase in phrases:
        assert phrase in body["error_description"], body
