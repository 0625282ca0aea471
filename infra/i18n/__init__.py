"""Internationalisation on Babel: gettext catalogs of messages (CLDR dates and numbers follow).

- `infra.i18n.catalog`: each package's `translations/<lang>/LC_MESSAGES/messages.po` (compiled
  to `.mo` by the build), read into one `Catalog` of keyed messages.

The web side (the language of a request, `_()` in templates) is `infra.web.i18n`; code outside
a request (the PDF renderer, the CLI) uses this package directly.
"""

from infra.i18n.catalog import DOMAIN, Catalog, catalog_files, compile_catalogs, read_catalog, translations_dir

__all__ = ["DOMAIN", "Catalog", "catalog_files", "compile_catalogs", "read_catalog", "translations_dir"]
