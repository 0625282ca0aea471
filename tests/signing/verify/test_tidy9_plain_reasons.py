"""The public check page says why a signature fails in plain words, in Spanish ("usted") and
English: the technical name of an obsolete format (adbe.pkcs7.sha1, SHA-1) stays folded in a
details element of its own (the API says it in its machine-readable `sub_indication`)."""

from __future__ import annotations

import io
import re

import pytest

from tests.signing.verify.test_subfilters import _with_subfilter

JARGON = ("adbe.", "SHA-1", "sha1", "SubFilter", "PAdES")


def _sentences_outside_technical_details(page: str) -> str:
    """The signature cards' text without the folded technical details."""
    cards = page.split('<ol class="cards">', 1)[1].split("</ol>", 1)[0]
    return re.sub(r'<details class="technical">.*?</details>', "", cards, flags=re.S)


@pytest.mark.parametrize("language, plain", [("es", "formato antiguo que ya no es seguro"),
                                              ("en", "old format that is no longer secure")])
def test_an_obsolete_format_is_told_in_plain_words(pki_app, signed, language, plain):
    client = pki_app.test_client()
    pdf = _with_subfilter(signed, b"/adbe.pkcs7.sha1")
    index = client.get(f"/verify?lang={language}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', index).group(1)
    answer = client.post(f"/verify?lang={language}", data={"csrf_token": token, "file": (io.BytesIO(pdf), "d.pdf")},
                         content_type="multipart/form-data")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and plain in page
    shown = _sentences_outside_technical_details(page)
    assert plain in shown and not [word for word in JARGON if word in shown]
    folded = re.search(r'<details class="technical">(.*?)</details>', page, flags=re.S).group(1)
    assert "adbe.pkcs7.sha1" in folded and "SHA-1" in folded
    if language == "es":
        assert "Pida " in shown  # usted
    api = client.post(f"/api/verify?lang={language}", data=pdf, headers={"Content-Type": "application/pdf"})
    sig = api.get_json()["signatures"][0]
    assert sig["sub_indication"] == "CRYPTO_CONSTRAINTS_FAILURE" and plain in sig["message"]
