"""Language-tagged client metadata (OIDC Registration 1.0 section 2.1): accepted, checked like
the plain field, returned, and chosen per locale by one function."""

from __future__ import annotations

import pytest

from clients.registry.localized import agency_name, localized, pick
from clients.registry.metadata import ClientMetadataError, Permissions, validate_metadata

BASE = {"redirect_uris": ["https://hacienda.example.gov/cb"], "client_name": "Ministerio de Hacienda"}
TAGGED = {**BASE, "client_name#en": "Ministry of Finance", "client_name#es-419": "Hacienda (LatAm)",
          "purpose#en": "To file your taxes", "logo_uri#en": "https://hacienda.example.gov/logo-en.png",
          "policy_uri#en": "https://hacienda.example.gov/en/privacy", "tos_uri#es": "https://hacienda.example.gov/tos"}


def test_tagged_fields_are_kept_as_given():
    validated = validate_metadata(TAGGED, Permissions())
    for key in ("client_name#en", "client_name#es-419", "purpose#en", "logo_uri#en", "policy_uri#en", "tos_uri#es"):
        assert validated[key] == TAGGED[key]


@pytest.mark.parametrize(("key", "value", "field"), [
    ("client_name#en", "", "client_name"),
    ("client_name#en", "x" * 201, "client_name"),
    ("client_name#not a tag", "Name", "client_name#not a tag"),
    ("client_name#e", "Name", "client_name#e"),
    ("logo_uri#en", "http://evil.example/logo.png", "logo_uri#en"),
    ("policy_uri#en", "javascript:alert(1)", "policy_uri#en"),
])
def test_tagged_fields_are_checked_like_the_plain_one(key, value, field):
    with pytest.raises(ClientMetadataError) as caught:
        validate_metadata({**BASE, key: value}, Permissions())
    assert caught.value.field == field
    assert caught.value.error == "invalid_client_metadata"


def test_tags_of_other_fields_are_ignored_as_unknown_metadata():
    validated = validate_metadata({**BASE, "redirect_uris#en": ["https://x.example/cb"], "scope#en": "x"},
                                  Permissions())
    assert "redirect_uris#en" not in validated and "scope#en" not in validated


def test_too_many_languages_are_refused():
    many = {f"client_name#{chr(97 + i // 26)}{chr(97 + i % 26)}": "N" for i in range(21)}
    with pytest.raises(ClientMetadataError) as caught:
        validate_metadata({**BASE, **many}, Permissions())
    assert caught.value.field == "client_name"


@pytest.mark.parametrize(("locale", "expected"), [
    ("en", "Ministry of Finance"),
    ("en-GB", "Ministry of Finance"),
    ("EN", "Ministry of Finance"),
    ("es-419", "Hacienda (LatAm)"),
    ("es", "Hacienda (LatAm)"),
    ("fr", "Ministerio de Hacienda"),
    (None, "Ministerio de Hacienda"),
])
def test_the_name_for_a_locale(locale, expected):
    assert localized(TAGGED, "client_name", locale) == expected


def test_no_untagged_value_and_no_match_is_none():
    assert localized({"client_name#en": "Agency"}, "client_name", "fr") is None
    assert pick({}, "es") is None
    assert localized({"purpose": "Impuestos"}, "purpose", "en") == "Impuestos"


@pytest.mark.parametrize(("metadata", "locale", "expected"), [
    ({"client_name#en": "Agency"}, "en", "Agency"),
    # No name in the reader's language: the one registered in another, not the client_id.
    ({"client_name#en": "Agency"}, "es", "Agency"),
    ({"client_name#fr": "Agence", "client_name#en": "Agency"}, "es", "Agency"),
    # No name at all: its site's host, else its first redirect URI's host (or app scheme).
    ({"client_uri": "https://www.hacienda.example.gov/", "redirect_uris": ["https://x.example/cb"]}, "es",
     "www.hacienda.example.gov"),
    ({"redirect_uris": ["https://portal.example.gov/cb"]}, "es", "portal.example.gov"),
    ({"redirect_uris": ["gov.example.app:/cb"]}, "en", "gov.example.app"),
    # Nothing to name it by: its client id, the last resort.
    ({"grant_types": ["client_credentials"]}, "es", "abc"),
])
def test_agency_name_is_the_sign_in_pages_name(metadata, locale, expected):
    from types import SimpleNamespace

    from clients.registry import Client
    from idp.oidc.agency_names import shown_name

    row = SimpleNamespace(client_id="abc", client_metadata=metadata)
    assert agency_name(row, locale) == expected
    if expected != "abc":  # the sign-in and consent pages' name is the same
        assert shown_name(Client(client_id="abc", client_metadata=metadata), locale) == expected


def test_round_trip_through_dynamic_registration(client, fresh_app):
    from clients.registry.services import issue_initial_token
    from infra.db import get_db

    with get_db(fresh_app).transaction() as session:
        token = issue_initial_token(session, uses=1)
    created = client.post("/register", json={k: v for k, v in TAGGED.items() if not k.startswith("logo_uri")},
                          headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["client_name#en"] == "Ministry of Finance"
    assert body["purpose#en"] == "To file your taxes"
    read = client.get(f"/register/{body['client_id']}",
                      headers={"Authorization": f"Bearer {body['registration_access_token']}"})
    assert read.get_json()["client_name#es-419"] == "Hacienda (LatAm)"
    updated = client.put(f"/register/{body['client_id']}",
                         headers={"Authorization": f"Bearer {read.get_json()['registration_access_token']}"},
                         json={**BASE, "client_name#en": "Treasury"})
    assert updated.status_code == 200
    assert updated.get_json()["client_name#en"] == "Treasury"
    assert "client_name#es-419" not in updated.get_json()
