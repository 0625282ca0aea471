"""A failed sign-in at the agency's portal kept the library's English text in the citizen's
reading («Detalle técnico, para la institución (en inglés): mismatching_state: CSRF Warning!
State not equal in request and response.»): on a Spanish page, words the citizen cannot act on. It is now
folded under a summary in the page's language, as the portal's own raw claims and Cédula's
refused sign-out fold theirs, and still there, marked English, for the agency's developer."""

from __future__ import annotations

import re

import pytest

from tests.clients.portal.test_pages import portal  # noqa: F401 - the fixture

SUMMARY = {"es": "Detalle técnico, para la institución (en inglés)", "en": "Technical detail, for the agency"}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_technical_detail_is_folded_under_a_summary_in_the_pages_language(portal, lang):  # noqa: F811
    page = portal.test_client().get("/callback?code=abc&state=not-ours", headers={"Accept-Language": lang})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    folded = re.search(r'<details class="technical" id="error-detail">\s*<summary>([^<]*)</summary>\s*'
                       r'<p><span lang="en">([^<]+)</span></p>\s*</details>', html)
    assert folded, "the detail is under a summary"
    assert folded.group(1) == SUMMARY[lang]
    assert "mismatching_state" in folded.group(2)
    outside = html.replace(folded.group(0), "")
    assert "mismatching_state" not in outside
