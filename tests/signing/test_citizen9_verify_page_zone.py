"""The /verify page writes every time in one zone, the reader's (the `tz` cookie), as its
tables do: the sentence about a citizen's signature and the passkey approval wrote theirs in
UTC ("(GMT+00:00)") while the table under them used the reader's zone, so on a device outside
UTC the page showed two different hours for one moment (citizen8, in Chromium)."""

from __future__ import annotations

import io
import re

from signing.citizen_signature import sign
from tests.signing.test_citizen_signature import approval_for
from tests.signing.verify.samples import blank_pdf
from tests.signing.verify.test_verdict_pages import _token


def test_citizen9_the_sentence_and_the_table_show_one_zone(documents, citizen, pki_app):
    pdf = blank_pdf()
    signed = sign(documents, citizen=citizen, pdf=pdf, approval=approval_for(pdf),
                  file_name="contrato.pdf")
    client = pki_app.test_client()
    client.set_cookie("tz", "America/El_Salvador")  # UTC-6 all year
    for language in ("es", "en"):
        page = client.post(f"/verify?lang={language}",
                           data={"csrf_token": _token(client),
                                 "file": (io.BytesIO(documents.store.read(signed.sha256)),
                                          "contrato.pdf")},
                           content_type="multipart/form-data",
                           headers={"Accept-Language": language}).get_data(as_text=True)
        assert "GMT+00:00" not in page, language
        assert page.count("(GMT-06:00)") >= 2, language  # the sentence and the approval
        local = (signed.issued_at.hour - 6) % 24
        hour = f"{local if language == 'es' else local % 12 or 12}:{signed.issued_at.minute:02d}"
        sentence = re.search(r"<p>([^<]*GMT-06:00[^<]*)</p>", page)
        assert sentence is not None and hour in sentence.group(1), (hour, sentence)
