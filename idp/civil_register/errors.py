"""The one error family of the authoritative register."""

from __future__ import annotations


class CivilRegisterError(Exception):
    """Any failure of the civil register: `code` is the machine code."""

    code = "registry_error"


class RegistryUnavailable(CivilRegisterError):
    """The register could not be asked (a remote API down); try again later."""

    code = "registry_unavailable"


class ImportRefused(CivilRegisterError):
    """A register file that cannot be imported; `problems` lists (line, message)."""

    code = "import_refused"

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        shown = "; ".join(f"line {line}: {message}" for line, message in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"nothing was imported: {shown}{more}")
        self.problems = problems
