"""Every form of the operator console, not only the one the access tests post: a citizen without
the role is refused (403) even with a valid CSRF token, and an operator's post without the token
is refused (400)."""

from __future__ import annotations

import pytest

from tests.idp.conftest import csrf, enrol


def _forms(app) -> list[str]:
    """Each POST route under /operator, its path arguments filled with a made-up value."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/operator") and "POST" in rule.methods:
            path = rule.rule
            for argument in rule.arguments:
                path = path.replace(f"<{argument}>", "made-up")
            paths.append(path)
    return sorted(paths)


def test_a_citizen_without_the_role_cannot_post_any_console_form(client, oidc_app):
    enrol(client)
    token = csrf(client, "/account")
    refused = {path: client.post(path, data={"csrf_token": token}).status_code for path in _forms(oidc_app)}
    assert len(refused) >= 10
    assert {path: status for path, status in refused.items() if status != 403} == {}


def test_no_console_form_is_taken_without_its_csrf_token(client, operator):
    refused = {path: client.post(path, data={}).status_code for path in _forms(client.application)}
    assert {path: status for path, status in refused.items() if status != 400} == {}


@pytest.mark.parametrize("header", [{"Authorization": "Bearer made-up"}, {}])
def test_no_console_form_is_taken_from_someone_signed_out(client, oidc_app, header):
    for path in _forms(oidc_app):
        response = client.post(path, data={}, headers=header)
        assert response.status_code in (302, 400, 403), (path, response.status_code)
