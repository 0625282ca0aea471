"""Build step that pyproject.toml cannot declare: compile the gettext catalogs into the wheel.

Every `<package>/translations/<lang>/LC_MESSAGES/messages.po` becomes a `messages.mo` beside it in
the built package (Babel, `infra.i18n.catalog.compile_catalogs`), so an installed Cédula reads
compiled catalogs. The `.po` files stay in the repository only; an editable install (a checkout)
reads them directly. The rest of the metadata is in pyproject.toml.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _compile_catalogs():  # type: ignore[no-untyped-def]
    # Loaded by path: importing the `infra` package would need the runtime dependencies.
    spec = importlib.util.spec_from_file_location("_cedula_catalog", HERE / "infra" / "i18n" / "catalog.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.compile_catalogs


class BuildWithCatalogs(build_py):
    """`build_py`, then each package's `translations/*.po` compiled into the build folder."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # a checkout reads the .po files in place
        compile_catalogs = _compile_catalogs()
        for package in sorted({name.split(".")[0] for name in self.packages or ()}):
            source = Path(self.get_package_dir(package)) / "translations"
            if source.is_dir():
                for written in compile_catalogs(source, into=Path(self.build_lib) / package / "translations"):
                    self.announce(f"compiled {written}", level=2)


setup(cmdclass={"build_py": BuildWithCatalogs})
