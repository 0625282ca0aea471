"""The upload form of /verify sent with no file chosen (a browser then sends the field "file"
with no file name and no bytes) answered "El archivo no es un PDF" / "The file is not a PDF":
the citizen, who chose nothing, was told the file they never chose was wrong (WCAG 2.2 3.3.1,
3.3.3). Now it answers 400 with the form again, the file field saying that no file was chosen
and what to do: choose the document's PDF file, or type its code above. The API
(`POST /api/verify`) sent nothing (no body, an empty body, a form without the field "file",
or that field empty) answers 400 `empty_file`, saying what to send; its OpenAPI says so."""

from __future__ import annotations

import html
import io
import re

import pytest

from tests.signing.verify.test_verdict_pages import _token

NO_FILE = {"es": "No ha elegido ningún archivo", "en": "No file was chosen"}
WHAT_TO_DO = {"es": ("PDF", "código"), "en": ("PDF", "code")}
NOT_PDF = {"es": "no es un PDF", "en": "not a PDF"}


def _field_error(body: str) -> str:
    found = re.search(r'<[a-z]+ class="field-error" id="file-error"[^>]*>(.*?)</', body, re.S)
    assert found is not None, "the file field says nothing"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_form_sent_with_no_file_chosen_says_so(client, lang):
    client.set_cookie("lang", lang)
    page = client.post("/verify", data={"csrf_token": _token(client),
                                        "file": (io.BytesIO(b""), "")},  # what a browser sends
                       content_type="multipart/form-data")
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    said = _field_error(body)
    assert said.startswith(NO_FILE[lang]), said
    assert NOT_PDF[lang] not in said
    assert all(word in said for word in WHAT_TO_DO[lang]), said
    assert re.search(r'<input id="file" name="file" type="file"', body)  # the form is kept
    assert re.search(r'<input id="code" name="code"', body)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_post_that_is_not_the_upload_form_says_no_file_was_chosen(client, lang):
    client.set_cookie("lang", lang)
    page = client.post("/verify", data={"csrf_token": _token(client)})  # urlencoded: no file
    assert page.status_code == 400
    said = _field_error(page.get_data(as_text=True))
    assert said.startswith(NO_FILE[lang]) and NOT_PDF[lang] not in said, said


@pytest.mark.parametrize("lang", ["es", "en"])
def test_an_empty_file_chosen_is_still_told_as_empty(client, lang):
    client.set_cookie("lang", lang)
    page = client.post("/verify", data={"csrf_token": _token(client),
                                        "file": (io.BytesIO(b""), "d.pdf")},
                       content_type="multipart/form-data")
    assert page.status_code == 400
    assert not _field_error(page.get_data(as_text=True)).startswith(NO_FILE[lang])


NOTHING = {  # made per run: a file object is read once
    "empty-body": lambda: {"data": b"", "content_type": "application/pdf"},
    "no-body": lambda: {"content_type": "application/pdf"},
    "no-file-field": lambda: {"data": {"other": "x"}, "content_type": "multipart/form-data"},
    "empty-file-field": lambda: {"data": {"file": (io.BytesIO(b""), "")},
                                 "content_type": "multipart/form-data"},
}


@pytest.mark.parametrize("sent", sorted(NOTHING))
def test_the_api_sent_nothing_answers_400_saying_what_to_send(client, sent):
    response = client.post("/api/verify", **NOTHING[sent]())
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "empty_file", body
    assert "PDF" in body["error_description"] and "file" in body["error_description"], body


def test_the_openapi_document_declares_the_400():
    from signing.verify.openapi import PATHS

    answers = PATHS["/api/verify"]["post"]["responses"]
    said = answers["400"]["description"]
    assert "empty_file" in said and "send the PDF" in said, said
