"""An expired sign-in link (an old tab, the back button, a bookmark of the consent page) is the
citizen's most common dead end. Its page said that the agency sent a request Cédula cannot
answer, with the actual reason tucked in as a "technical detail": now it says what happened
and what to do, and nothing else."""

from __future__ import annotations

import pytest

from infra.web.i18n import catalog


@pytest.mark.parametrize("lang", ["es", "en"])
def test_an_expired_sign_in_link_says_what_happened_and_what_to_do(client, oidc_app, lang):
    response = client.get("/authorize/continue?interaction=no-such-interaction", headers={"Accept-Language": lang})
    page = response.get_data(as_text=True).replace("&#39;", "'")
    texts = catalog(oidc_app)
    assert response.status_code == 400
    assert texts.get("oidc.error.expired", lang) in page
    unsafe_start = texts.get("oidc.error.unsafe", lang).split("{detail}")[0][:60]
    assert unsafe_start not in page
