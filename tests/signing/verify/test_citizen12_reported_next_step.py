"""After a citizen reported a possible forgery (POST /verify/report), the "Aviso recibido" /
"Report received" notice went on with the not-found page's advice: "...si es así, avísenos
abajo de dónde lo obtuvo" / "...if you did, tell us below where you got it", though the report
was just sent and there is no form below: an instruction that cannot be followed, on the page
meant to say what happens next. Now it says not to rely on the document and that there is
nothing more to do (they are contacted only if more is needed)."""

from __future__ import annotations

import html
import re

import pytest

from signing import csv
from tests.idp.conftest import csrf

REPORT_AGAIN = {"es": ("abajo", "avísenos"), "en": ("below", "tell us")}
NEXT = {"es": ("No se fíe", "no tiene que hacer nada más"),
        "en": ("Do not rely", "you do not need to do anything else")}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_received_report_says_what_happens_next(client, lang):
    client.set_cookie("lang", lang)
    code = csv.generate()
    token = csrf(client, f"/verify/{code}")
    page = client.post("/verify/report", data={"csrf_token": token, "code": code,
                                               "where": "Me lo dio una gestoría", "contact": ""})
    assert page.status_code == 201
    body = page.get_data(as_text=True)
    assert '<form method="post" action="/verify/report"' not in body  # nothing to fill in below
    notice = re.search(r'<div [^>]*id="reported">(.*?)</div>', body, re.S)
    assert notice is not None
    said = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", notice.group(1))).split())
    for words in REPORT_AGAIN[lang]:
        assert words not in said, said
    for words in NEXT[lang]:
        assert words in said, said
