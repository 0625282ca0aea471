"""Verification: `cedula verify` against `pyhanko sign adesverify` on the same file, and in-process.

One sealed residence certificate (PAdES B-LTA, issued by the bench's own deployment) is
verified three ways:
  cédula in-process     `VerificationService.verify` of the web app (what `/api/verify` runs);
  cedula verify         the whole command, in a new process each time (`python -m idp.cli
                        verify FILE`, the deployment's settings from the environment);
  pyhanko adesverify    pyHanko's own command on the same file, trusting only the exported
                        root (`pyhanko sign adesverify --trust root.pem --trust-replace`).
The commands' CPU time is their process's (user + system, from `wait4`), so the driver and
other load on the machine do not count; `/cpu-s` is commands per CPU-second.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench import harness
from bench.harness import Result, Skipped, measure, median_of

ROOT = Path(__file__).resolve().parent.parent


def _sealed(app) -> tuple[bytes, Path, Path]:
    """A B-LTA residence certificate issued by the bench deployment, and its root (PEM)."""
    from bench.seal import _documents
    from keys import x509
    from signing.issuance import issue
    from signing.service import CitizenRef
    from tests.signing import samples
    from tests.signing.conftest import AGENCY, AGENCY_NAME

    documents = _documents(app)
    citizen = CitizenRef(id="5b0c1b9e-2f43-4a8e-9d0c-6f1f3e3b8a11", given_name="María José",
                         family_name="Núñez Peña", national_id="04892613-3")
    issued = issue(documents, client_id=AGENCY, agency_name=AGENCY_NAME, template="residence", citizen=citizen,
                   data=samples.RESIDENCE, level="B-LTA")
    pdf = documents.store.read(issued.sha256)
    folder = Path(app.instance_path)
    path, root = folder / "sealed.pdf", folder / "root.pem"
    path.write_bytes(pdf)
    root.write_text(x509.pem(documents.keys.pki.material().root.certificate))
    return pdf, path, root


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one run; it must pass."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read() if process.stderr else b""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[2:4]} exited {os.waitstatus_to_exitcode(status)}: "
                           f"{stderr.decode(errors='replace')[-500:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def _command(name: str, command: list[str], env: dict[str, str], *, seconds: float,
             **labels) -> Result:
    """Run `command` again and again for `seconds` of wall time (at least 3 runs) per
    window, `--repeat` windows after one untimed run; the median window by runs per CPU-second."""
    _run(command, env)
    windows = []
    for _ in range(harness.REPEAT):
        latencies, cpu, spent = [], 0.0, 0.0
        while spent < seconds or len(latencies) < 3:
            elapsed, used = _run(command, env)
            latencies.append(elapsed * 1000)
            spent += elapsed
            cpu += used
        windows.append(Result(name, len(latencies), spent, latencies, extra={
            "cpu_seconds": round(cpu, 3), "cpu_seconds_per_run": round(cpu / len(latencies), 3),
            "per_cpu_second": round(len(latencies) / cpu, 2)}, **labels))
    return median_of(windows)


def verify(app, seconds: float) -> list[Result | Skipped]:
    """`cedula verify` and in-process verification against `pyhanko sign adesverify`."""
    from infra.config import get_settings
    from signing.verify.service import get_verification

    settings = get_settings(app)
    pdf, path, root = _sealed(app)
    group = "verify B-LTA"
    service = get_verification(app)

    def in_process():
        return lambda: service.verify(pdf)

    results: list[Result | Skipped] = [
        measure(f"{group}: cédula in-process (service)", in_process, seconds=seconds, warmup=3,
                group=group)]
    if harness.COUNT:  # `--count` counts this process's calls: a command's are not
        return results
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CEDULA_DATA_DIR": str(settings.data_dir),
           "CEDULA_DATABASE_URL": settings.database_url, "CEDULA_REDIS_URL": "",
           "CEDULA_ISSUER": settings.issuer}
    results.append(_command(f"{group}: cedula verify (whole command)",
                            [sys.executable, "-m", "idp.cli", "verify", str(path)], env,
                            seconds=seconds, group=group))
    pyhanko = Path(sys.executable).parent / "pyhanko"
    if not pyhanko.exists():
        results.append(Skipped(f"{group}: pyhanko sign adesverify", group, "pyhanko",
                               "pyhanko-cli is not installed (the test extra)"))
    else:
        results.append(_command(f"{group}: pyhanko sign adesverify (whole command)",
                                [str(pyhanko), "sign", "adesverify", "--trust", str(root),
                                 "--trust-replace", str(path)], env, seconds=seconds,
                                group=group, side="pyhanko", baseline=True))
    return results
