"""RP-initiated logout when the portal no longer has the citizen's ID token (it kept only the
session, or the ID token was never stored): the guide told a developer to send
`id_token_hint`, `post_logout_redirect_uri` and `state`, and that "without a hint" the citizen
is asked to confirm. Following that, a request with `post_logout_redirect_uri` and no hint was
refused with an error page (`invalid_request`: the URI cannot be checked without knowing the
client), and the guide never named `client_id`, the parameter that makes it work
(RP-Initiated Logout 1.0 section 2)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from idp.developers.views import SOURCE
from tests.idp.oidc.conftest import oidc_app, register  # noqa: F401 - fixtures

BACK = "https://portal.example.gov/signed-out"


@pytest.fixture
def agency(register):  # noqa: F811
    return register(post_logout_redirect_uris=[BACK])


def _logout_section() -> str:
    text = SOURCE.read_text(encoding="utf-8")
    return text[text.index("## 6. Logout"):text.index("## 7.")]


def test_without_a_hint_the_guide_says_to_send_client_id(client, agency):
    refused = client.get("/end-session?" + urlencode({"post_logout_redirect_uri": BACK, "state": "s"}))
    assert refused.status_code == 400
    section = _logout_section()
    assert "`client_id`" in section
    # The guide's advice works: with client_id, the registered URI is accepted.
    sent = client.get("/end-session?" + urlencode({"client_id": agency.client_id,
                                                     "post_logout_redirect_uri": BACK, "state": "s"}))
    assert sent.status_code in (200, 303), sent.get_data(as_text=True)[:300]
    assert "post_logout_redirect_uri` without `id_token_hint` or `client_id` is refused" in section
