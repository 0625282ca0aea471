"""The code form sent empty asks for the code, counting no attempt (citizen13).

The code forms of /reclaim and /account/assurance leave the empty field to the page now
(novalidate: the browser's own bubble spoke its own language, tests/browser/
test_citizen13_forms_say_what_is_missing). Sent empty (or with spaces and hyphens only), the
claim is no wrong code: the page asks for the code, and the five attempts are all left.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from idp.assurance.models import PossessionCode
from infra.db import get_db
from tests.idp.assurance.test_reclaim import _claim, _code, _enter, _import, _send
from tests.idp.conftest import enrol
from tests.support.error_summary import assert_error_summary

ASKED = {"es": "Escriba el código de 8 cifras que le enviamos.", "en": "Enter the 8-digit code we sent you."}


@pytest.mark.parametrize("typed", ["", "   ", " - "], ids=["empty", "spaces", "hyphen"])
def test_an_empty_reclaim_code_is_asked_for_not_counted(fresh_app, typed):
    _import(fresh_app)
    enrol(fresh_app.test_client())
    claimant = fresh_app.test_client()
    _claim(claimant)
    _send(claimant)
    assert _enter(claimant, typed).headers["Location"] == "/reclaim/code?code=empty#form-error"
    for lang in ("es", "en"):
        claimant.set_cookie("lang", lang)
        page = claimant.get("/reclaim/code?code=empty").get_data(as_text=True)
        assert_error_summary(page, target="code")
        assert ASKED[lang] in page and 'aria-invalid="true"' in page
    with get_db(fresh_app).read() as session:
        [row] = session.scalars(sa.select(PossessionCode)).all()
    assert row.failed_attempts == 0
    assert _enter(claimant, _code(fresh_app)).status_code == 200  # the code still works
