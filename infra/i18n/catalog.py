"""Gettext message catalogs (Babel), one per package and language.

Each package keeps its messages in `<package>/translations/<lang>/LC_MESSAGES/messages.po`.
The msgid is the message key the code and templates use (`account.title`), the msgstr its text
with `{name}` placeholders (str.format):

    # The citizen's pages.
    msgid "account.title"
    msgstr "Tu cuenta"

The build compiles each `.po` into a `.mo` beside it (`setup.py`), so a wheel ships the compiled
catalogs; in a checkout, where the `.mo` is missing or older than its `.po`, the `.po` is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib.resources import files
from pathlib import Path

from babel.messages.catalog import Catalog as BabelCatalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

DOMAIN = "messages"


def translations_dir(package: str) -> Path:
    """The `translations` folder of an importable package (it may not exist)."""
    return Path(str(files(package))) / "translations"


def catalog_files(folder: Path) -> dict[str, Path]:
    """{language: catalog} in a `translations` folder: the `.po`, or the `.mo` where it is alone."""
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    for language in sorted(p for p in folder.iterdir() if (p / "LC_MESSAGES").is_dir()):
        po = language / "LC_MESSAGES" / f"{DOMAIN}.po"
        mo = po.with_suffix(".mo")
        if po.exists() or mo.exists():
            found[language.name] = po if po.exists() else mo
    return found


def read_catalog(path: Path) -> BabelCatalog:
    """The catalog at `path` (`.po` or `.mo`): the compiled `.mo` when it is at least as new as
    the `.po`, else the `.po` (a checkout where the catalogs were edited and not compiled)."""
    po, mo = path.with_suffix(".po"), path.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime_ns >= po.stat().st_mtime_ns):
        with mo.open("rb") as fh:
            return read_mo(fh)
    with po.open("rb") as fh:
        # abort_invalid: a broken catalog stops the start, with the line, not a half-read one.
        return read_po(fh, locale=po.parent.parent.name, domain=DOMAIN, abort_invalid=True)


def compile_catalogs(folder: Path, into: Path | None = None) -> list[Path]:
    """Compile every `<lang>/LC_MESSAGES/messages.po` under `folder` into its `.mo` (under
    `into` instead, same relative path, when given). Fuzzy messages are left out."""
    written = []
    for po in sorted(folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        target = (into / po.relative_to(folder) if into else po).with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name, domain=DOMAIN, abort_invalid=True)
        with target.open("wb") as out:
            write_mo(out, catalog)
        written.append(target)
    return written


class Catalog:
    """Messages by key and language, read from the packages' gettext catalogs at start.

    A key is defined by one package only; a language's text is present when its msgstr is not
    empty and not marked fuzzy. `missing()` lists every key without a text in a configured
    language (a test keeps it empty); `get()` falls back to the first (default) language."""

    def __init__(self, languages: list[str]) -> None:
        self.languages = languages
        self.messages: dict[str, dict[str, str]] = {}
        self._origin: dict[str, Path] = {}

    def load(self, path: Path) -> None:
        """A package's `translations` folder (every language in it), or one `.po`/`.mo` file."""
        if path.is_dir():
            folder, by_language = path, catalog_files(path)
            if not by_language:
                raise ValueError(f"{path} holds no catalog (<lang>/LC_MESSAGES/{DOMAIN}.po)")
        else:
            folder, by_language = path.parent.parent.parent, {path.parent.parent.name: path}
        for language, file in by_language.items():
            for key, text in _entries(read_catalog(file), file):
                origin = self._origin.setdefault(key, folder)
                if origin != folder:
                    raise ValueError(f"message {key!r} is defined twice (in {origin} and again in {folder})")
                texts = self.messages.setdefault(key, {})
                if text:
                    texts[language] = text

    def load_all(self, folders: Iterable[Path]) -> Catalog:
        for folder in folders:
            self.load(folder)
        return self

    def missing(self) -> list[str]:
        """Keys that lack a translation into one of the configured languages."""
        return sorted(f"{key} [{lang}]" for key, texts in self.messages.items()
                      for lang in self.languages if lang not in texts)

    def get(self, key: str, lang: str) -> str | None:
        texts = self.messages.get(key)
        if texts is None:
            return None
        return texts.get(lang) or texts.get(self.languages[0])

    def keys(self) -> frozenset[str]:
        return frozenset(self.messages)


def _entries(catalog: BabelCatalog, path: Path) -> Iterator[tuple[str, str]]:
    """(key, text) of every message; an untranslated or fuzzy one has the text ""."""
    for message in catalog:
        if not message.id:
            continue  # the header
        if not isinstance(message.id, str) or not isinstance(message.string, str):
            raise ValueError(f"{path}: {message.id!r} has plural forms; messages are keyed texts")
        yield message.id, "" if message.fuzzy else message.string
