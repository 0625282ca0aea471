"""Certificates are named in the page's language (citizen13).

The details of the verification page listed the certificate chain and the trusted authority
as asn1crypto's English rendering of each subject ("Common Name: Ana López, Organization:
Otra Autoridad, Country: ES"), in the Spanish page too. The page now names each certificate
as people do: its holder's name and, when it has one, its organisation ("Otra CA emisora
(Otra Autoridad)"); the JSON report keeps the full subject.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.signing.verify import attack_kit as kit


def _details(page: str) -> str:
    start = page.index('<details class="verify-details"')
    part = page[start:page.index("</details>", start)]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", part)))


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_chain_is_named_without_english_attribute_labels(client, verifier, signed, language):
    kind, _words, page = kit.over_the_page(client, verifier, signed, language)
    assert kind == "valid"
    details = _details(page)
    for label in ("Common Name:", "Organization:", "Country:"):
        assert label not in details
    chain = re.search(r'<dd><ol>(.*?)</ol></dd>', page, re.S).group(1)
    assert [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", chain)] == [
        "Ana López (Otra Autoridad)", "Otra CA emisora (Otra Autoridad)",
        "Otra Raíz (Otra Autoridad)"]
    assert "Otra Raíz (Otra Autoridad)" in details


def test_the_json_report_keeps_the_full_subject(client, verifier, signed):
    body = kit.over_http(client, verifier, signed)
    chain = body["signatures"][0]["chain"]
    assert chain[0]["subject"] == "Common Name: Ana López, Organization: Otra Autoridad, Country: ES"
