"""`POST /api/verify` with a multipart/form-data body whose PDF is in a field not named `file`
(`pdf`, `document`: what an agency's HTTP library was told, or guessed) answered
`400 empty_file` with "Choose a PDF file to verify.", the upload page's sentence: the server
that sent a PDF was told to choose one, and not that the field's name was wrong. The API's
answer now names the field it reads and the other way to send the PDF; the upload page keeps
its own sentence (its form's field is always `file`)."""

from __future__ import annotations

import io

from tests.signing.verify import samples


def test_a_pdf_in_another_field_is_told_the_field_to_use(client):
    answer = client.post("/api/verify", content_type="multipart/form-data",
                         data={"pdf": (io.BytesIO(samples.blank_pdf()), "documento.pdf")})
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    body = answer.get_json()
    assert body["error"] == "empty_file"
    assert '"file"' in body["error_description"] and "application/pdf" in body["error_description"], body
    assert "Choose" not in body["error_description"], body


def test_no_field_at_all_is_told_the_same(client):
    answer = client.post("/api/verify", content_type="multipart/form-data", data={})
    assert answer.status_code == 400
    assert '"file"' in answer.get_json()["error_description"]
