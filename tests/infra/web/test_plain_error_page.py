"""The plain error page (the store is down, so error.html's layout cannot ask whether the visitor
is signed in): titled as an error first, and its way on is the same address again, not the start
page (which needs the same store and fails the same way)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("lang", "title", "again"), [
    ("en", "<title>Error: The service is briefly unavailable</title>", ">Try again</a>"),
    ("es", "<title>Error: ", ">Intentar de nuevo</a>"),
])
def test_store_down_page_is_titled_as_an_error_and_links_to_the_same_address(fresh_app, dead_store,
                                                                              lang, title, again):
    client = fresh_app.test_client()
    client.set_cookie("cedula_session", "a-session-id-the-store-cannot-look-up")
    response = client.get("/account?tab=passkeys",
                          headers={"Accept": "text/html", "Accept-Language": lang})
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert title in page
    assert again in page
    assert 'id="try-again" href="/account?tab=passkeys"' in page
    assert 'href="/"' not in page


def test_a_form_answered_plain_leads_to_the_start_page_not_to_the_form_again(fresh_app, monkeypatch):
    import infra.web.errors as errors

    def broken(*_args, **_kwargs):
        raise RuntimeError("the layout needs the store")

    monkeypatch.setattr(errors, "render_template", broken)
    with fresh_app.test_request_context("/account/rename", method="POST", headers={"Accept-Language": "en"}):
        page = errors.error_page(503, "Down", "Try later.").get_data(as_text=True)
    assert "<title>Error: Down</title>" in page
    assert '<a id="back-home" href="/">Back to the start page</a>' in page
