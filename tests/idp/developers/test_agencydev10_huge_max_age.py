"""A max_age of more than ten digits (a portal passing JavaScript's Number.MAX_SAFE_INTEGER, or
"any sign-in will do" as a big number) was refused with "max_age must be a non-negative whole
number of seconds", a sentence that is false of the value sent. OpenID Connect Core section
3.1.2.1 sets no upper bound; a max_age longer than any sign-in can be old asks for nothing more
than the largest Cédula keeps (9999999999 seconds), so it is taken as that. What is not a whole
number of seconds is still refused, and now says what it got."""

from __future__ import annotations

from tests.idp.oidc.conftest import Flow, authorize_url, citizen, oidc_app, redirect_params, register  # noqa: F401

HUGE = ["99999999999", "9007199254740991", "1" + "0" * 30, "000000000000000060"]


def test_a_huge_max_age_is_taken(client, register, citizen):  # noqa: F811
    agency = register()
    for value in HUGE:
        shown = client.get(authorize_url(agency, Flow(), max_age=value))
        assert shown.status_code == 200, (value, shown.status_code, shown.headers.get("Location"))
        assert 'name="csrf_token"' in shown.get_data(as_text=True)


def test_what_is_not_a_whole_number_is_refused_saying_what_it_got(client, register, citizen):  # noqa: F811
    agency = register()
    for value in ["-1", "1.5", "1e9", "٣"]:
        refused = redirect_params(client.get(authorize_url(agency, Flow(), max_age=value)), agency)
        assert refused["error"] == "invalid_request", (value, refused)
        assert refused["error_description"] == (
            f"max_age must be a whole number of seconds, 0 or more (OpenID Connect Core section 3.1.2.1), "
            f"got {value!r}")
