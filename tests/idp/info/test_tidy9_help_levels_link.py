"""The help page's section on levels ("How strong your identity is") links to the account page
of that name (/account/assurance), where the citizen sees their level and raises it; it only
described it."""

from __future__ import annotations

import re

import pytest

from infra.web.i18n import catalog


@pytest.mark.parametrize("lang, words", [("es", "Vea su nivel y súbalo en su cuenta"),
                                         ("en", "See your level and raise it in your account")])
def test_the_levels_section_links_to_the_account_page_it_describes(client, lang, words):
    client.set_cookie("lang", lang)
    html = client.get("/help").get_data(as_text=True)
    section = html.split('<h2 id="levels">', 1)[1].split("<h2", 1)[0]
    link = re.search(r'<a id="levels-link" href="([^"]+)">([^<]*)</a>', section)
    assert link, "the levels section has its link"
    assert link.group(1) == "/account/assurance" and link.group(2) == words
    page = client.get("/account/assurance")  # the page it names: sign-in first, then that page
    assert page.status_code in (302, 303) and "/account/assurance" in page.headers["Location"].replace("%2F", "/")
    heading = re.search(r'<h2 id="levels">([^<]*)</h2>', html).group(1)
    assert heading == catalog(client.application).get("assurance.title", lang)
