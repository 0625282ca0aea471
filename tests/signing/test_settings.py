"""The [documents] settings: checked once at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.config import load_settings
from signing.settings import DocumentSettings, DocumentSettingsError


def test_documents_print_their_times_in_the_i18n_time_zone():
    settings = DocumentSettings.load(load_settings(), Path("/tmp"))
    assert str(settings.time_zone) == "America/El_Salvador"


def test_an_unknown_time_zone_is_refused_at_start():
    with pytest.raises(DocumentSettingsError, match=r"i18n\.timezone: unknown time zone 'Atlantis/Capital'"):
        DocumentSettings.load(load_settings({"i18n": {"timezone": "Atlantis/Capital"}}), Path("/tmp"))
