"""What the account page tests share."""

from __future__ import annotations

# An enrolment without JavaScript with three wrong fields: no family name, a birth date in the
# future and a malformed DUI.
BAD_ENROLMENT = {"given_name": "Ana", "family_name": "", "birthdate": "2999-01-01", "national_id": "123",
                 "email": "ana@example.sv"}


def post_enrolment(client, token: str, fields: dict[str, str]):
    """POST the enrolment form (as a browser without JavaScript would), in English."""
    return client.post("/enrol", data={"csrf_token": token, **fields}, headers={"Accept-Language": "en"})
