"""Internationalisation on Babel: gettext catalogs of messages, CLDR dates and numbers.

- `infra.i18n.catalog`: each package's `translations/<lang>/LC_MESSAGES/messages.po` (compiled
  to `.mo` by the build), read into one `Catalog` of keyed messages;
- `infra.i18n.formats`: `Formats`, dates, times and numbers in a language and a time zone.

The web side (the language and time zone of a request, `_()` and the `|date`/`|datetime`
filters in templates) is `infra.web.i18n`; code outside a request (the PDF renderer, the CLI)
uses this package directly.
"""

from infra.i18n.catalog import DOMAIN, Catalog, catalog_files, compile_catalogs, read_catalog, translations_dir
from infra.i18n.formats import Formats, UnknownZone, zone

__all__ = ["DOMAIN", "Catalog", "Formats", "UnknownZone", "catalog_files", "compile_catalogs", "read_catalog",
           "translations_dir", "zone"]
