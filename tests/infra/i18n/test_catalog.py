"""Gettext catalogs on Babel: read from .po or compiled .mo, default-language fallback, and the
completeness check every shipped catalog must pass."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog as BabelCatalog
from babel.messages.pofile import PoFileError, read_po, write_po

from infra.config import load_settings
from infra.i18n import Catalog, catalog_files, compile_catalogs, read_catalog, translations_dir

PACKAGES = ("infra", "idp", "signing", "keys", "clients")


def _write_po(folder: Path, language: str, messages: dict[str, str], fuzzy: tuple[str, ...] = ()) -> Path:
    catalog = BabelCatalog(locale=language, domain="messages")
    for key, text in messages.items():
        catalog.add(key, text, flags=("fuzzy",) if key in fuzzy else ())
    path = folder / language / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog)
    return path


def _loaded(folder: Path) -> Catalog:
    """A Spanish-first, then English catalog, read from the translations `folder`."""
    catalog = Catalog(["es", "en"])
    catalog.load(folder)
    return catalog


def _age(path: Path, seconds: int) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 1_000_000_000))


@pytest.fixture
def translations(tmp_path) -> Path:
    folder = tmp_path / "pkg" / "translations"
    _write_po(folder, "es", {"greeting": "Hola, {name}", "only.es": "Solo en español"})
    _write_po(folder, "en", {"greeting": "Hello, {name}", "only.es": ""})
    return folder


def test_a_translations_folder_is_read_from_its_po_files(translations):
    catalog = _loaded(translations)
    assert catalog.get("greeting", "en") == "Hello, {name}"
    assert catalog.get("greeting", "es") == "Hola, {name}"
    assert catalog.get("nowhere", "es") is None


def test_an_untranslated_message_falls_back_to_the_default_language_and_is_reported_missing(translations):
    catalog = _loaded(translations)
    assert catalog.get("only.es", "en") == "Solo en español"
    assert catalog.missing() == ["only.es [en]"]


def test_a_fuzzy_translation_is_not_a_translation(tmp_path):
    folder = tmp_path / "translations"
    _write_po(folder, "es", {"a": "uno"})
    _write_po(folder, "en", {"a": "one?"}, fuzzy=("a",))
    catalog = _loaded(folder)
    assert catalog.get("a", "en") == "uno"
    assert catalog.missing() == ["a [en]"]


def test_a_language_without_a_catalog_is_missing_every_message(tmp_path):
    folder = tmp_path / "translations"
    _write_po(folder, "es", {"a": "uno", "b": "dos"})
    catalog = _loaded(folder)
    assert catalog.missing() == ["a [en]", "b [en]"]


def test_a_key_in_two_packages_is_refused(tmp_path):
    first, second = tmp_path / "one" / "translations", tmp_path / "two" / "translations"
    _write_po(first, "es", {"site.name": "Cédula"})
    _write_po(second, "es", {"site.name": "Otra"})
    catalog = Catalog(["es"])
    catalog.load(first)
    with pytest.raises(ValueError, match=r"message 'site\.name' is defined twice"):
        catalog.load(second)


def test_a_broken_po_file_stops_the_load_with_its_line(tmp_path):
    path = tmp_path / "translations" / "es" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    path.write_text('msgid "a"\nmsgstr "uno"\n\nmsgid "b"\nmsgtsr "dos"\n', encoding="utf-8")
    with pytest.raises(PoFileError, match="misformatted keyword on 4"):
        Catalog(["es"]).load(path.parents[2])


def test_an_empty_folder_is_refused(tmp_path):
    (tmp_path / "translations").mkdir()
    with pytest.raises(ValueError, match="holds no catalog"):
        Catalog(["es"]).load(tmp_path / "translations")


def test_a_compiled_catalog_is_read_when_it_is_current(translations):
    po = translations / "en" / "LC_MESSAGES" / "messages.po"
    compile_catalogs(translations)
    mo = po.with_suffix(".mo")
    assert mo.exists()
    # Prove which file is read: the .po now says something else, but is older than the .mo.
    _write_po(translations, "en", {"greeting": "Changed in the .po", "only.es": ""})
    _age(po, 60)
    assert read_catalog(po)["greeting"].string == "Hello, {name}"
    catalog = _loaded(translations)
    assert catalog.get("greeting", "en") == "Hello, {name}"


def test_a_stale_compiled_catalog_is_ignored_for_its_newer_po(translations):
    po = translations / "en" / "LC_MESSAGES" / "messages.po"
    compile_catalogs(translations)
    _age(po.with_suffix(".mo"), 60)
    _write_po(translations, "en", {"greeting": "Edited after compiling", "only.es": ""})
    catalog = _loaded(translations)
    assert catalog.get("greeting", "en") == "Edited after compiling"


def test_a_compiled_catalog_alone_is_enough_as_in_an_installed_wheel(translations, tmp_path):
    built = tmp_path / "build" / "pkg" / "translations"
    written = compile_catalogs(translations, into=built)
    assert sorted(p.relative_to(built).as_posix() for p in written) == [
        "en/LC_MESSAGES/messages.mo", "es/LC_MESSAGES/messages.mo"]
    assert catalog_files(built) == {"en": built / "en/LC_MESSAGES/messages.mo",
                                    "es": built / "es/LC_MESSAGES/messages.mo"}
    catalog = _loaded(built)
    assert catalog.get("greeting", "es") == "Hola, {name}"
    # An untranslated message is left out of the .mo: still reported missing.
    assert catalog.missing() == ["only.es [en]"]


# --- the shipped catalogs ---------------------------------------------------------------


def _shipped() -> list[Path]:
    return [folder for folder in map(translations_dir, PACKAGES) if folder.is_dir()]


def test_every_shipped_message_has_a_text_in_every_configured_language():
    languages = list(load_settings()["i18n"]["languages"])
    catalog = Catalog(languages).load_all(_shipped())
    assert len(catalog.messages) > 500
    assert catalog.missing() == []


@pytest.mark.parametrize("folder", _shipped(), ids=lambda f: f.parent.name)
def test_every_language_of_a_package_lists_the_same_keys_in_its_po(folder):
    """Checked on the .po sources themselves, whatever a stale .mo would say."""
    keys = {}
    for language_dir in sorted(folder.iterdir()):
        with (language_dir / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalog = read_po(fh)
        keys[language_dir.name] = {m.id for m in catalog if m.id}
        assert not [m.id for m in catalog if m.id and (not m.string or m.fuzzy)], language_dir
    assert set(keys) >= set(load_settings()["i18n"]["languages"])
    first = next(iter(keys.values()))
    assert all(other == first for other in keys.values()), {k: sorted(v ^ first)[:5] for k, v in keys.items()}


def test_no_toml_catalog_is_left_behind():
    """Messages live in gettext catalogs only (a messages.toml would be silently ignored)."""
    root = Path(__file__).resolve().parents[3]
    assert [str(p.relative_to(root)) for package in PACKAGES
            for p in (root / package).rglob("messages.toml")] == []
