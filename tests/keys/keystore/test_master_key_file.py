"""A master.key that is there but cannot be read (a folder, a file this user may not read) is the
key store's one-line refusal saying what to do, not an OSError traceback from `cedula keys init`."""

from __future__ import annotations

import pytest

from keys.errors import KeyStoreUnavailable
from keys.keystore.masterkey import create_master_key, read_master_key


@pytest.mark.parametrize("read", [read_master_key, create_master_key], ids=["read", "create"])
def test_a_master_key_file_that_cannot_be_read_says_what_to_do(tmp_path, read):
    path = tmp_path / "master.key"
    path.mkdir(mode=0o700)
    with pytest.raises(KeyStoreUnavailable) as refused:
        read(path)
    assert str(refused.value) == (
        f"{path} cannot be read (Is a directory): the master key must be a file of 32 bytes, mode 0600, that this "
        "user can read; restore it from its backup (docs/operations.md, Backups) or set CEDULA_MASTER_KEY")
