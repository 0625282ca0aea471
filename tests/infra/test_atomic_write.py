"""infra.atomic_write: whole files, mode 0600, no temporary file left, an existing file kept on request."""

from __future__ import annotations

import stat

import pytest

from infra.atomic_write import write_atomically


def test_writes_a_private_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "new" / "file.bin"
    assert write_atomically(target, b"one")
    assert target.read_bytes() == b"one"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert write_atomically(target, b"two")  # replaces by default
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.bin"]


def test_keeps_an_existing_file_when_asked(tmp_path):
    target = tmp_path / "file.bin"
    target.write_bytes(b"first")
    assert not write_atomically(target, b"second", keep_existing=True)
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.bin"]


def test_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    def broken(_fd):
        raise OSError("disk full")

    monkeypatch.setattr("infra.atomic_write.os.fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(tmp_path / "file.bin", b"data")
    assert list(tmp_path.iterdir()) == []
