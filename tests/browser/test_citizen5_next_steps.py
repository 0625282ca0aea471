"""A failure on the sessions page says what happened and what to do next (WCAG 3.3.3): ending a
session that has already ended (it expired, or was ended from another device, while the
confirmation page was open) said only "Esa sesión ya no está abierta." under "Hay un problema",
leaving the citizen to guess whether anything was still to be done."""

from __future__ import annotations

import re

import pytest

from tests.browser.flows import enrol_on_new_device, message

pytestmark = pytest.mark.browser


def test_ending_a_session_already_ended_says_there_is_nothing_left_to_do(browser, server):
    enrol_on_new_device(browser)
    for lang in ("es", "en"):
        browser.choose_language(lang, then="/account/sessions")
        browser.open("/account/sessions/no-longer-open/end")
        browser.wait_for_path("/account/sessions")
        shown = browser.wait_for_text(".error-summary")
        said = message(server, "logout.sessions.error.not_found", lang)
        assert said in " ".join(shown.split())
        sentences = [s for s in re.split(r"(?<=[.;])\s+", said) if s.strip()]
        assert len(sentences) >= 2, f"what happened, but not what to do next [{lang}]: {said!r}"
        assert browser.all("#sessions > li.session"), "the sessions still open are listed below"
