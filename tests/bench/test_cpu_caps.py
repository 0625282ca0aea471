"""bench/cpu_caps.py: the per-worker CPU caps of `http-production-capped` (the measurement
itself runs only in `make bench`)."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from bench import cpu_caps
from bench.cpu_caps import CapRefused, CpuCaps, check_cores, quota_us


def fake_root(tmp_path: Path) -> Path:
    (tmp_path / "cpu.cfs_quota_us").write_text("-1\n")
    (tmp_path / "cgroup.procs").write_text("")
    return tmp_path


def test_the_quota_is_the_fraction_of_the_period_and_never_below_the_kernels_minimum():
    assert quota_us(0.4) == 40_000
    assert quota_us(0.25, 20_000) == 5_000
    assert quota_us(0.001) == 1_000


@pytest.mark.parametrize("cores", [0, 0.01, -1, 3])
def test_a_cap_that_cannot_work_is_refused_with_what_to_pass(cores):
    with pytest.raises(CapRefused, match=r"pass a fraction of a core between 0.05 and 2 \(e.g. 0.25\)"):
        check_cores(cores, available=2)
    assert check_cores(0.4, available=2) == 0.4


def test_no_cgroup_v1_cpu_controller_is_refused_with_a_sentence(tmp_path):
    with pytest.raises(CapRefused, match=r"no cgroup v1 cpu controller at .* run without --cap-workers"):
        CpuCaps(0.4, root=tmp_path / "absent")


def test_no_permission_to_make_a_group_is_refused_cleanly(tmp_path, monkeypatch):
    root = fake_root(tmp_path)

    def refused(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refused)
    caps = CpuCaps(0.4, root=root)
    with pytest.raises(CapRefused, match=r"cannot make a cgroup under .*Permission denied.*run as root"):
        caps.add(os.getpid())
    assert caps.groups == []


def test_a_group_is_written_with_its_weight_period_quota_and_process(tmp_path, monkeypatch):
    root = fake_root(tmp_path)
    caps = CpuCaps(0.25, root=root, name="t")
    group = caps.add(4242)
    assert group.path == root / f"t-{os.getpid()}-0"
    assert (group.path / "cpu.shares").read_text() == str(cpu_caps.SHARES)
    assert (group.path / "cpu.cfs_period_us").read_text() == "100000"
    assert (group.path / "cpu.cfs_quota_us").read_text() == "25000"
    assert (group.path / "cgroup.procs").read_text() == "4242"
    driver = caps.add(4343, capped=False)
    assert not (driver.path / "cpu.cfs_quota_us").exists()  # weighted, not capped


ROOT_WRITABLE = cpu_caps.ROOT.joinpath("cpu.cfs_quota_us").exists() and os.access(cpu_caps.ROOT, os.W_OK)


@pytest.mark.skipif(not ROOT_WRITABLE, reason="no writable cgroup v1 cpu controller here")
def test_a_real_process_is_capped_then_given_back_and_its_group_removed():
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        with CpuCaps(0.3, name="cedula-test") as caps:
            group = caps.add(sleeper.pid)
            assert (group.path / "cpu.cfs_quota_us").read_text().strip() == "30000"
            assert str(sleeper.pid) in (group.path / "cgroup.procs").read_text().split()
            assert f":cpu:/{group.path.name}" in Path(f"/proc/{sleeper.pid}/cgroup").read_text()
        assert not group.path.exists()
        assert str(sleeper.pid) in (cpu_caps.ROOT / "cgroup.procs").read_text().split()
    finally:
        sleeper.kill()
        sleeper.wait(timeout=10)
