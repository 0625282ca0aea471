"""Every OAuth `error` code the provider can answer an agency's portal with is in the errors
table of the developers' guide (docs/agencies.md, section 8), with what to do about it: a
developer who meets a code finds it there. The codes are read from the source (`error = "..."`
on an error class, `error="..."` where one is raised), so a new code needs its row."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [*sorted((ROOT / "idp" / "oidc").glob("*.py")), *sorted((ROOT / "clients" / "registry").glob("*.py"))]
CODE = re.compile(r'\berror ?= ?"([a-z_]+)"')
# A request object's parameters replace the request before validation (idp.oidc.jar.expand,
# which refuses `request` inside one): the check that answers this code is never reached.
UNREACHABLE = {"request_not_supported"}


def _table_codes() -> set[str]:
    guide = (ROOT / "docs" / "agencies.md").read_text(encoding="utf-8")
    errors = guide[guide.index("## 8. Errors"):]
    errors = errors[:errors.index("\n## ", 1)]
    rows = [line for line in errors.splitlines() if line.startswith("| `")]
    return {code for row in rows for code in re.findall(r"`([a-z_]+)`", row.split("|")[1])}


def test_every_error_code_of_the_provider_is_in_the_guide():
    codes = {code for path in SOURCES for code in CODE.findall(path.read_text(encoding="utf-8"))}
    assert {"invalid_grant", "invalid_dpop_proof", "invalid_client_metadata"} <= codes  # the scan reads them
    missing = sorted(codes - UNREACHABLE - _table_codes())
    assert not missing, f"docs/agencies.md section 8 has no row for {missing}"
