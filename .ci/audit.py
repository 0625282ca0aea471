"""Known vulnerabilities in the locked dependencies: pip-audit, with a fallback that still audits.

pip-audit asks PyPI's per-release JSON API (`/pypi/<name>/<version>/json`). Where that API is
not reachable (a registry mirror or proxy that serves only the project pages), pip-audit skips
every package and reports "No known vulnerabilities found": a check that cannot fail. This
script runs pip-audit, and for every package it skipped asks the project page
(`/pypi/<name>/json`), whose `vulnerabilities` list applies to the newest release: a locked
version that is the newest is audited that way; one that is not is named as unaudited.

Exit status: 0 clean, 1 a vulnerability was found (or PyPI could not be reached at all).
Usage: python .ci/audit.py PIP_AUDIT LOCK_FILE
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

INDEX = "https://pypi.org/pypi"


def pip_audit(executable: str, lock: str) -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        result = subprocess.run(
            [executable, "--progress-spinner", "off", "--disable-pip", "--require-hashes", "-r", lock,
             "--format", "json", "--output", str(report)],
            capture_output=True, text=True, check=False,
        )
        if not report.exists():
            sys.stderr.write(result.stderr)
            raise SystemExit("pip-audit did not produce a report")
        return json.loads(report.read_text())["dependencies"]


def project_page(name: str) -> dict:
    last: Exception | None = None
    for _ in range(3):
        try:
            with urllib.request.urlopen(f"{INDEX}/{name}/json", timeout=20) as response:  # noqa: S310 - fixed https URL
                return json.load(response)
        except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as exc:
            last = exc
    raise SystemExit(f"PyPI could not be reached for {name}: {last}")


def pinned(lock: str) -> dict[str, str]:
    """name -> version of every `name==version` line of a pip-compile lock file."""
    return {match[1].lower(): match[2] for match in re.finditer(r"^([A-Za-z0-9._-]+)==([^\s\\]+)",
                                                                Path(lock).read_text(), re.MULTILINE)}


def main(executable: str, lock: str) -> int:
    findings: list[str] = []
    unaudited: list[str] = []
    audited = 0
    versions = pinned(lock)
    for dependency in pip_audit(executable, lock):
        name = dependency["name"]
        version = dependency.get("version") or versions.get(name.lower(), "?")
        if "skip_reason" not in dependency:
            audited += 1
            findings += [f"{name} {version}: {v['id']} (fixed in {', '.join(v['fix_versions']) or 'no release'})"
                         for v in dependency.get("vulns", [])]
            continue
        page = project_page(name)
        if page["info"]["version"] != version:
            unaudited.append(f"{name} {version} (newest is {page['info']['version']})")
            continue
        audited += 1
        findings += [f"{name} {version}: {v['id']} {', '.join(v.get('aliases', []))} (fixed in "
                     f"{', '.join(v.get('fixed_in') or []) or 'no release'})"
                     for v in page.get("vulnerabilities", []) if not v.get("withdrawn")]
    print(f"audited {audited} locked packages")
    if unaudited:
        print("not audited (no per-release advisory data reachable; refresh the lock with `make lock`):")
        print("\n".join(f"  {line}" for line in unaudited))
    if findings:
        print("known vulnerabilities:")
        print("\n".join(f"  {line}" for line in findings))
        return 1
    if audited == 0:
        print("nothing could be audited")
        return 1
    print("no known vulnerabilities")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
