"""The access log never holds a document's verification code (issue 14): it is a bearer link
to the PDF, so its value in `/verify/<code>` paths is replaced by a keyed mark."""

from __future__ import annotations

import logging

import pytest

from infra.ops.logging import masked_path

CODE = "CSV-7Q2K-9XWM-4HTD"


OFFER = "offer-4XkP9vQ2mZ7rT1sB"


@pytest.mark.parametrize("path", [f"/verify/{CODE}", f"/verify/{CODE}/pdf", f"/api/verify/{CODE}",
                                  f"/wallet/offers/{OFFER}"])
def test_verification_codes_are_masked_in_the_access_log(client, caplog, path):
    with caplog.at_level(logging.INFO, logger="cedula.access"):
        client.get(path)
        client.get(path)
    logged = [r.path for r in caplog.records if r.name == "cedula.access"]
    assert len(logged) == 2 and logged[0] == logged[1]  # the same code, the same mark
    secret = OFFER if OFFER in path else CODE  # a wallet offer carries its pre-authorized code
    assert secret not in logged[0] and "[masked:" in logged[0]
    assert logged[0].startswith(path.split(secret)[0])


def test_other_paths_are_logged_as_they_are(client, caplog):
    with caplog.at_level(logging.INFO, logger="cedula.access"):
        client.get("/verify")
    assert [r.path for r in caplog.records if r.name == "cedula.access"] == ["/verify"]


def test_the_mark_is_keyed():
    one = masked_path(f"/verify/{CODE}", {"code": CODE}, ["code"], b"k" * 32)
    assert one != masked_path(f"/verify/{CODE}", {"code": CODE}, ["code"], b"x" * 32)
    assert one.startswith("/verify/[masked:") and len(one) == len("/verify/[masked:]") + 10
