"""The root object of `cedula` commands that need the app: Flask's `ScriptInfo`.

It reads the settings once and builds the app only when a command needs it; the packages'
groups are `flask.cli.AppGroup`s, whose commands find it (`with_appcontext`). Kept apart from
`idp.cli` so that `cedula verify`, which builds no app, never imports Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask
from flask.cli import ScriptInfo

from infra.config import Settings, load_settings

if TYPE_CHECKING:
    from signing.verify.command import CommandVerification
    from signing.verify.service import VerificationService


class Context(ScriptInfo):
    """The root object: settings are read once; the app is built only by commands that need it."""

    def __init__(self, *, settings: Settings | None = None, app: Flask | None = None) -> None:
        super().__init__(create_app=self._create_app, set_debug_flag=False, load_dotenv_defaults=False)
        self._settings = settings
        self._loaded_app = app

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            if self._loaded_app is not None:
                from infra.config import get_settings

                self._settings = get_settings(self._loaded_app)
            else:
                self._settings = load_settings()
        return self._settings

    @property
    def app(self) -> Flask:
        return self.load_app()

    def _create_app(self) -> Flask:
        """The app; a setting a component refuses ends the command with its message and where
        the value was set (the CEDULA_CONFIG file, the environment variable), not a traceback."""
        from idp.app import create_app
        from infra.cli_errors import SettingRefused
        from infra.config import refused_setting, where_set

        try:
            return create_app(self.settings)
        except Exception as exc:
            refused = refused_setting(self.settings, exc)
            if refused is None:
                raise
            raise SettingRefused(where_set(self.settings, str(refused))) from None

    def verification(self) -> VerificationService | CommandVerification:
        """`cedula verify`'s verification: the given app's service, else built from the
        settings without any Flask app (`signing.verify.command`)."""
        if self._loaded_app is not None:
            from signing.verify.service import get_verification

            return get_verification(self._loaded_app)
        from idp.cli_verify import VerifyContext

        return VerifyContext(self.settings).verification()
