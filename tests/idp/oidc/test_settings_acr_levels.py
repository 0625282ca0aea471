"""`OidcSettings.acr_levels`: the level each acr URI names, made with the settings (read on every
/token by `codes.settled`), and made again for settings replaced with other URIs."""

from __future__ import annotations

from dataclasses import replace


def test_acr_levels_is_acr_uris_reversed_and_follows_a_replace(oidc_app):
    from idp.oidc.settings import load
    from infra.config import get_settings

    loaded = load({"oidc": get_settings(oidc_app)["oidc"]}, "http://localhost:8000")
    assert loaded.acr_levels == {uri: level for level, uri in loaded.acr_uris.items()}
    assert set(loaded.acr_levels.values()) == {"low", "substantial", "high"}
    other = replace(loaded, acr_uris={"low": "urn:l", "substantial": "urn:s", "high": "urn:h"})
    assert other.acr_levels == {"urn:l": "low", "urn:s": "substantial", "urn:h": "high"}
    assert other == replace(other, national_id_level=other.national_id_level)  # compared as before
    assert "acr_levels" not in repr(loaded)
