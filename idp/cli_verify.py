"""The root object of `cedula verify`: the settings, read once, and the verification built
from them alone (`signing.verify.command`), without Flask, the ORM or the sealing side:
importing and wiring the web app cost several times the verification itself. The agency's
name is `clients.registry`'s reading, handed over (`clients.registry.names`, which imports
neither)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from infra.config import Settings, load_settings

if TYPE_CHECKING:
    from infra.db import Database
    from signing.verify.command import CommandVerification


@contextmanager
def imports_without_collection(*, freeze: bool = False) -> Iterator[None]:
    """Import with the cyclic garbage collector paused, and with `freeze` keep it off what
    exists then (`gc.freeze`): importing pyHanko and the rest makes some hundred thousand
    objects that live as long as the process, and collecting (then re-scanning) them cost
    about a sixth of the command's CPU. It runs again before the PDF is parsed: the file is
    verified with it on. Freeze only in a process that ends with the command."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


class VerifyContext:
    def __init__(self, settings: Settings | None = None, *, freeze_imports: bool = False) -> None:
        """`freeze_imports`: the process is `cedula verify` itself (see
        `imports_without_collection`)."""
        self._settings = settings
        self.freeze_imports = freeze_imports

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    def verification(self) -> CommandVerification:
        with imports_without_collection(freeze=self.freeze_imports):
            from clients.registry.names import agency_name_in_sql
            from signing.verify.command import CommandVerification

            return CommandVerification(self.settings, database=self.database,
                                       agency_names=agency_name_in_sql)

    def database(self) -> Database:
        """The deployment's database, opened only if SQLAlchemy must read it or the PKI must
        write (a CRL due); a plain SQLite file is read without it."""
        from idp.schema import SCHEMA
        from infra.db import Database, PoolSettings

        settings = self.settings
        return Database(settings.database_url, schema=SCHEMA,
                        pool=PoolSettings.from_settings(settings["database"]))
