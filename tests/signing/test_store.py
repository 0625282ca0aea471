"""The content-addressed document store."""

from __future__ import annotations

import hashlib

import pytest

from signing.store import DocumentNotStored, DocumentStore


def test_put_is_content_addressed_and_idempotent(tmp_path):
    store = DocumentStore(tmp_path)
    first = store.put(b"%PDF-1.7 a")
    sha = hashlib.sha256(b"%PDF-1.7 a").hexdigest()
    assert first.sha256 == sha and first.created
    assert store.path(sha) == tmp_path / sha[:2] / sha[2:4] / f"{sha}.pdf"
    assert store.read(sha) == b"%PDF-1.7 a"
    assert not store.put(b"%PDF-1.7 a").created
    assert oct(store.path(sha).stat().st_mode & 0o777) == "0o600"
    assert not list(store.path(sha).parent.glob(".*.part"))


def test_staged_file_is_removed_when_the_block_fails(tmp_path):
    store = DocumentStore(tmp_path)
    with pytest.raises(RuntimeError), store.staged(b"%PDF-1.7 b") as stored:
        assert store.exists(stored.sha256)
        raise RuntimeError("the transaction failed")
    assert not store.exists(stored.sha256)


def test_staged_file_that_already_existed_is_kept(tmp_path):
    store = DocumentStore(tmp_path)
    store.put(b"%PDF-1.7 c")
    with pytest.raises(RuntimeError), store.staged(b"%PDF-1.7 c") as stored:
        raise RuntimeError("boom")
    assert store.exists(stored.sha256)


def test_bad_names_and_missing_files(tmp_path):
    store = DocumentStore(tmp_path)
    with pytest.raises(DocumentNotStored, match="is not a lower-case hex SHA-256"):
        store.read("../../etc/passwd")
    with pytest.raises(DocumentNotStored, match="no stored document has SHA-256"):
        store.read("0" * 64)
