"""The guide's examples run as written: what an agency developer copies from docs/agencies.md."""

from __future__ import annotations

import json
import re
import shlex

import pytest
from click.testing import CliRunner
from joserfc.jwk import ECKey

from idp.cli import cli
from idp.developers.views import SOURCE


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", SOURCE.read_text(encoding="utf-8"), re.S)


@pytest.fixture
def cedula(tmp_path, monkeypatch):
    env = {"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_LOGGING_LEVEL": "WARNING", "CEDULA_DATABASE_URL": "",
           "CEDULA_REDIS_URL": ""}
    monkeypatch.chdir(tmp_path)

    def run(args: list[str]) -> str:
        result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    run(["db", "upgrade"])
    return run


def test_the_operators_register_command_registers_the_portal_in_both_languages(cedula, tmp_path):
    """The command gave the purpose in English as the untagged value, which the guide itself says
    must be Spanish (the default language): a citizen reading Spanish saw "Issue your birth
    certificate" on the consent page of a Spanish portal."""
    command = next(block for block in _blocks("sh") if block.startswith("cedula clients register"))
    jwks = {"keys": [ECKey.generate_key("P-256").as_dict(private=False, kid="registro-2026", use="sig",
                                                         alg="ES256")]}
    (tmp_path / "registro-public.jwks.json").write_text(json.dumps(jwks))
    created = json.loads(cedula(shlex.split(command.replace("\\\n", " "))[1:]))
    example = json.loads(next(block for block in _blocks("json") if '"purpose#en"' in block))
    for field in ("client_name", "client_name#en", "purpose", "purpose#en"):
        assert created.get(field) == example[field], field


def test_the_registration_example_is_a_request_cedula_accepts():
    """The JSON example lacked `redirect_uris`: sent as written to `POST /register` it was refused
    with `invalid_redirect_uri` ("at least one is required")."""
    from clients.registry.metadata import Permissions, validate_metadata

    example = json.loads(next(block for block in _blocks("json") if '"purpose#en"' in block))
    assert validate_metadata(example, Permissions())["purpose#en"] == "Issue your birth certificate"


def test_the_guide_gives_the_lifetimes_and_limits_an_agency_codes_against():
    """The guide said a client assertion's `exp` may be "at most a few minutes ahead" (300
    seconds are accepted, no more) and gave no token lifetimes: a portal could not know when to
    refresh, nor how long a refresh token lasts."""
    from idp.oidc.settings import load
    from infra.config import load_settings

    oidc = load(load_settings(environ={}), "https://cedula.example.gob")
    text = " ".join(SOURCE.read_text(encoding="utf-8").split())
    assert f"`exp` is at most {oidc.assertion_max_seconds} seconds ahead" in text
    assert f"{oidc.leeway_seconds} seconds of clock skew" in text
    assert f"An access token lasts {oidc.access_token_seconds} seconds (`expires_in`), an ID token " \
           f"{oidc.id_token_seconds}." in text
    assert f"usable for {oidc.refresh_token_seconds // 86400} days after it was issued" in text
    assert f"last at most {oidc.grant_seconds // 86400} days" in text


def test_the_guide_gives_the_documents_and_verification_limits():
    """The guide named `POST /api/documents/prepared` without its body, its size limit or how
    long a prepared document waits, and `POST /api/verify` without its size or rate limits."""
    from idp.documents.prepared import DEFAULT_DAYS, MAX_DAYS
    from infra.config import load_settings

    settings = load_settings(environ={})
    documents, verify = settings["documents"], settings["verify"]
    text = " ".join(SOURCE.read_text(encoding="utf-8").split())
    assert '`{"subject": "<the citizen\'s sub>", "file_name": "contrato.pdf", "pdf": "<the PDF, base64>", ' \
           f'"expires_in_days": {DEFAULT_DAYS}}}`' in text
    assert f"at most {documents['max_bytes'] // 2**20} MiB, `[documents] max_bytes`" in text
    assert f"it waits 1 to {MAX_DAYS} days, {DEFAULT_DAYS} unless you say otherwise" in text
    assert f"at most {verify['max_upload_bytes'] // 2**20} MiB, `[verify] max_upload_bytes`" in text
    assert f"Each address may verify {verify['attempts']} PDFs and look up {verify['lookups']} codes every " \
           f"{verify['window_seconds']} seconds, and after {verify['failed_lookups']} unknown codes" in text


def test_the_readme_lists_every_agency_api_route(app):
    """The README's interfaces named four of the documents API's routes: not the prepared
    documents, the indicators or registration an agency developer reads it for."""
    from pathlib import Path

    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| ")]
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/documents", "/api/indicators", "/register")):
            written = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "<x>", rule.rule)
            assert any(written.replace("/pdf", "") in re.sub(r"<[^>]+>", "<x>", row).replace("[/pdf]", "")
                       for row in rows), rule.rule


def test_the_guides_indicators_example_is_a_request_the_api_answers():
    """The guide did not mention the indicators API at all (scope, parameters, limits)."""
    from infra.config import load_settings

    indicators = load_settings(environ={})["indicators"]
    text = " ".join(SOURCE.read_text(encoding="utf-8").split())
    example = re.search(r"`GET (/api/indicators\?[^`]+)`", text).group(1)
    assert f"at most {indicators['max_days']} days (`[indicators] max_days`)" in text
    assert f"Counts below {indicators['privacy_floor']} (`[indicators] privacy_floor`)" in text
    from urllib.parse import parse_qs, urlsplit

    from idp.indicators.api import PARAMETERS
    from idp.indicators.report import parse_period

    query = {name: values[0] for name, values in parse_qs(urlsplit(example).query).items()}
    assert set(query) <= set(PARAMETERS) and query["format"] in ("json", "csv")
    from datetime import date

    parse_period(start=query["start"], end=query["end"], step=query["step"], today=date(2026, 12, 6),
                 max_days=indicators["max_days"])


def test_the_guide_gives_the_back_channel_delivery_rules():
    """The guide said "Answer 200 quickly; Cédula retries deliveries that fail": not how quickly,
    that 204 counts too, nor how often and how long Cédula tries."""
    from idp.logout.backchannel import DELIVERED
    from infra.config import load_settings

    logout = load_settings(environ={})["logout"]
    text = " ".join(SOURCE.read_text(encoding="utf-8").split())
    assert DELIVERED == {200, 204} and "Answer `200` (or `204`)" in text
    assert f"within {logout['delivery_seconds']} seconds (`[logout] delivery_seconds`)" in text
    assert f"valid for {logout['token_seconds']} seconds" in text
    waits = [min(logout["retry_seconds"] * 2**n, logout["retry_max_seconds"])
             for n in range(logout["max_attempts"] - 1)]
    assert f"tries {logout['max_attempts']} times in all" in text
    assert "waiting " + ", ".join(str(w) for w in waits[:-1]) + f" and {waits[-1]} seconds" in text


def test_the_guide_asks_a_portal_to_check_a_logout_tokens_exp():
    """Back-Channel Logout 1.0 section 2.6 step 3 validates `exp` as in an ID token, and
    Cédula's logout tokens carry one (`[logout] token_seconds`); the guide listed `iss`, `aud`
    and `iat` only, and the demo portal, which follows it, accepted an expired token."""
    text = " ".join(SOURCE.read_text(encoding="utf-8").split())
    assert "Verify it like an ID token (signature, `iss`, `aud`, `iat`, `exp`)" in text


def test_the_guides_issue_request_names_every_member_the_api_accepts():
    """The guide's `POST /api/documents` body left out `level` (the PAdES level of the seal),
    which the API accepts and /openapi.json describes: an agency reading the guide could not
    know it may ask for a lower one."""
    from idp.documents.openapi import SCHEMAS
    from signing.pades import LEVELS

    text = " ".join(SOURCE.read_text(encoding="utf-8").split())
    body = re.search(r"`POST /api/documents` with `(\{.*?\})`", text).group(1)
    example = json.loads(body.replace("{...}", "{}"))
    schema = SCHEMAS["IssueRequest"]
    assert set(example) == set(schema["properties"])
    assert schema["properties"]["level"]["enum"] == list(LEVELS)
    assert ", ".join(f"`{level}`" for level in LEVELS[:-1]) + f" or `{LEVELS[-1]}`" in text
