"""Settings: defaults, environment overrides, validation that says what to change."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from infra.config import DEFAULT_RESOURCE, ConfigError, load_settings


def test_defaults_are_the_embedded_setup(tmp_path):
    settings = load_settings({"server": {"data_dir": str(tmp_path)}}, environ={})
    assert settings.issuer == "http://localhost:8000"
    assert settings.rp_id == "localhost"
    assert settings.origin == "http://localhost:8000"
    assert settings.secure is False
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'cedula.db'}"
    assert settings.redis_url == ""


def test_short_and_long_environment_names():
    settings = load_settings(environ={
        "CEDULA_ISSUER": "https://id.example.gov/",
        "CEDULA_REDIS_URL": "redis://cache:6379/0",
        "CEDULA_SESSION_IDLE_SECONDS": "900",
        "CEDULA_METRICS_ENABLED": "false",
        "CEDULA_I18N_LANGUAGES": "en,es",
    })
    assert settings.issuer == "https://id.example.gov"
    assert settings.secure is True
    assert settings.rp_id == "id.example.gov"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings["session"]["idle_seconds"] == 900
    assert settings["metrics"]["enabled"] is False
    assert settings["i18n"]["languages"] == ["en", "es"]


def test_wrong_types_in_the_environment_are_named():
    with pytest.raises(ConfigError, match="CEDULA_SESSION_IDLE_SECONDS must be a whole number"):
        load_settings(environ={"CEDULA_SESSION_IDLE_SECONDS": "soon"})


@pytest.mark.parametrize("issuer,fragment", [
    ("id.example.gov", "absolute"),
    ("http://id.example.gov", "https"),
    ("https://id.example.gov/?x=1", "query"),
])
def test_bad_issuers_are_refused(issuer, fragment):
    with pytest.raises(ConfigError, match=fragment):
        load_settings(environ={"CEDULA_ISSUER": issuer})


REPOSITORY = Path(__file__).resolve().parents[2]


def test_the_shipped_defaults_are_the_documented_copy():
    """The package reads its own copy (an installed wheel has no config/ folder); config/default.toml
    is what operators read. They must never drift apart."""
    package, name = DEFAULT_RESOURCE
    shipped = files(package).joinpath(name).read_text(encoding="utf-8")
    assert shipped == (REPOSITORY / "config" / "default.toml").read_text(encoding="utf-8"), (
        f"{package}/{name} differs from config/default.toml: copy config/default.toml over it")


def test_every_default_setting_is_documented():
    lines = (REPOSITORY / "config" / "default.toml").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#") and not line.startswith("["):
            above = lines[index - 1].strip()
            assert above.startswith("#") or "=" in above, f"undocumented setting: {line}"
