"""The root object of `cedula verify`: the settings, read once, and the verification built
from them alone (`signing.verify.command`), without Flask, the ORM or the sealing side:
importing and wiring the web app cost several times the verification itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infra.config import Settings, load_settings

if TYPE_CHECKING:
    from infra.db import Database
    from signing.verify.command import CommandVerification


class VerifyContext:
    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    def verification(self) -> CommandVerification:
        from signing.verify.command import CommandVerification

        return CommandVerification(self.settings, database=self.database)

    def database(self) -> Database:
        """The deployment's database, opened only if SQLAlchemy must read it or the PKI must
        write (a CRL due); a plain SQLite file is read without it."""
        from idp.schema import SCHEMA
        from infra.db import Database, PoolSettings

        settings = self.settings
        return Database(settings.database_url, schema=SCHEMA,
                        pool=PoolSettings.from_settings(settings["database"]))
