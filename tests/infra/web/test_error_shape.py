"""The one error shape every package's error family derives from."""

from __future__ import annotations

import pytest

from infra.web.error_shape import CodedError, FieldError


class Refused(CodedError):
    error = "invalid_grant"
    status = 401


def test_a_family_sets_the_defaults_and_an_instance_may_name_others():
    default = Refused("the code was used")
    assert (default.error, default.status, default.description, str(default)) == (
        "invalid_grant", 401, "the code was used", "the code was used")
    other = Refused("the issuer is down", error="temporarily_unavailable", status=503)
    assert (other.error, other.status) == ("temporarily_unavailable", 503)
    assert (Refused.error, Refused.status) == ("invalid_grant", 401)  # the class is untouched


def test_the_body_has_the_oauth_shape():
    body = Refused("the code was used").as_json()
    assert body == {"error": "invalid_grant", "error_description": "the code was used"}


def test_a_field_error_names_the_field_and_is_a_value_error():
    with pytest.raises(ValueError, match=r"^redirect_uris: must be https$") as caught:
        raise FieldError("redirect_uris", "must be https", error="invalid_redirect_uri")
    assert (caught.value.field, caught.value.error, caught.value.status, caught.value.description) == (
        "redirect_uris", "invalid_redirect_uri", 400, "redirect_uris: must be https")
