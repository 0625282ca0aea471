"""Claims for people: labels, dates and levels in words, never Python reprs."""

from __future__ import annotations

from clients.portal.claims import ACR_SUBSTANTIAL, describe, level_rank

CLAIMS = {"sub": "pairwise-1", "iss": "http://localhost:8000", "aud": "registro", "nonce": "n", "sid": "s-1",
          "given_name": "Rosa", "family_name": "Díaz", "birthdate": "1990-05-17", "email": "rosa@example.org",
          "email_verified": True, "acr": ACR_SUBSTANTIAL, "amr": ["hwk", "user"], "auth_time": 1764907200,
          "exp": 1, "iat": 1, "at_hash": "x"}


def _table(language):
    return {row.key: (row.label, row.value) for row in describe(CLAIMS, language)}


def test_spanish_labels_and_values():
    table = _table("es")
    assert table["birthdate"] == ("Fecha de nacimiento", "17 de mayo de 1990")
    assert table["acr"] == ("Nivel de seguridad de la identidad",
                            "Sustancial: identidad comprobada en el registro civil")
    assert table["amr"][1] == "una llave de acceso en un dispositivo, verificación en el dispositivo"
    assert table["email"][1] == "rosa@example.org (comprobado)"
    assert table["auth_time"][1] == "5 de diciembre de 2025, 4:00 (GMT+00:00)"  # UTC unless told a zone
    assert list(table)[:3] == ["given_name", "family_name", "birthdate"]


def test_english_labels_and_values():
    table = _table("en")
    assert table["birthdate"] == ("Date of birth", "May 17, 1990")
    assert table["acr"][1] == "Substantial: identity checked against the civil register"
    assert table["given_name"] == ("Given name", "Rosa")


def test_protocol_claims_are_not_shown_and_nothing_is_a_repr():
    rows = describe(CLAIMS, "es")
    assert {r.key for r in rows}.isdisjoint({"iss", "aud", "nonce", "exp", "iat", "at_hash", "sid", "email_verified"})
    for row in rows:
        assert "[" not in row.value and "{" not in row.value and "True" not in row.value, row


def test_unknown_claims_keep_their_name_and_readable_values():
    rows = {r.key: r for r in describe({"acr": "urn:other", "custom": ["a", "b"], "flag": False}, "en")}
    assert rows["acr"].value == "Not stated"
    assert (rows["custom"].label, rows["custom"].value) == ("custom", "a, b")
    assert rows["flag"].value == "No"


def test_level_rank_trusts_only_known_acr_values():
    assert level_rank({"acr": ACR_SUBSTANTIAL}) == 2
    assert level_rank({"acr": "http://eidas.europa.eu/LoA/high"}) == 3
    assert level_rank({}) == 0 and level_rank({"acr": "substantial"}) == 0


def test_the_sign_in_time_is_written_in_the_zone_given():
    from infra.i18n import zone
    rows = {r.key: r.value for r in describe(CLAIMS, "es", zone("America/El_Salvador"), offset=False)}
    assert rows["auth_time"] == "4 de diciembre de 2025, 22:00"
