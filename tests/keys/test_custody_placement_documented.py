"""`cedula keys init` and `/readyz` refuse a key store over keys made in the other one (software
vs PKCS#11), and the refusal sends the operator to docs/operations.md, Backups, which said
nothing of it. That section now says what the operator sees (the command's error and exit 1,
`/readyz`'s 503 and its `keys` check) in the words the service uses, and what to do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keys.custody import elsewhere, elsewhere_in_public

ROOT = Path(__file__).resolve().parents[2]


def _section(document: str, title: str) -> str:
    text = (ROOT / document).read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.M | re.S)
    assert match is not None, (document, title)
    return " ".join(match.group(1).split())  # as read: a sentence may wrap anywhere


def _referred() -> str:
    """The section of docs/operations.md the command's refusal names."""
    message = elsewhere(key_id="k", purpose="oidc", stored="pkcs11", configured="software")
    match = re.search(r"\(docs/operations\.md, ([^)]+)\)", message)
    assert match is not None, message
    return _section("docs/operations.md", match.group(1))


@pytest.mark.parametrize(("stored", "configured", "setting"), [
    ("pkcs11", "software", "CEDULA_KEYSTORE=pkcs11"), ("software", "pkcs11", "CEDULA_KEYSTORE=software")])
def test_the_refusal_and_its_fix_are_documented_in_the_services_words(stored, configured, setting):
    section = _referred()
    command = elsewhere(key_id="k", purpose="oidc", stored=stored, configured=configured)
    probe = elsewhere_in_public(stored=stored, configured=configured)
    said = f"but keys.backend is {configured}, which cannot use"
    assert said in command and said in probe
    assert said in section, said
    assert setting in command and setting in section


def test_what_the_operator_sees_and_does_is_documented():
    section = _referred()
    for stored, seen in (("pkcs11", "was made in the PKCS#11 key store"),
                         ("software", "was made in the software key store")):
        assert seen in elsewhere(key_id="k", purpose="oidc", stored=stored, configured="x"), seen
        assert seen in section, seen
    public = elsewhere_in_public(stored="pkcs11", configured="software")
    assert public.startswith("keys in the database were made in") and "keys in the database were made in" in section
    for told in ("`cedula keys init`", "exits 1", "`/readyz`", "503", '"keys"', '"detail"', "restart",
                 "CEDULA_MASTER_KEY", "CEDULA_PKCS11_TOKEN"):
        assert told in section, told


def test_the_readme_says_readyz_checks_the_key_store_matches_the_keys():
    assert "keys.backend" in _section("README.md", "Operations")
