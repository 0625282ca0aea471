"""The content-addressed document store."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from datetime import UTC, datetime

import pytest

from signing.models import Document
from signing.store import DocumentNotStored, DocumentStore, digest


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


def _row(stored, document_id: str) -> Document:
    return Document(id=document_id, csv=document_id[:24], sha256=stored.sha256, size=stored.size,
                    kind="sealed", template=None, client_id="registro-civil", subject="s",
                    language="es", title="t", file_name="f.pdf", issued_at=datetime.now(UTC),
                    level="B-B", signer_serial="1", status="valid")


def test_staged_file_is_removed_when_the_block_fails(documents):
    store = documents.store
    with pytest.raises(RuntimeError), store.staged(b"%PDF-1.7 b", documents.database) as (stored, _):
        assert store.exists(stored.sha256)
        raise RuntimeError("the transaction failed")
    assert not store.exists(stored.sha256)


def test_staged_file_that_already_existed_is_kept(documents):
    store = documents.store
    store.put(b"%PDF-1.7 c")
    with pytest.raises(RuntimeError), store.staged(b"%PDF-1.7 c", documents.database) as (stored, _):
        raise RuntimeError("boom")
    assert store.exists(stored.sha256)


def test_a_failed_writer_keeps_the_file_another_writer_committed(documents):
    """Two requests store identical bytes; the one that created the file fails after the other
    committed its row: the committed document keeps its file."""
    store, database = documents.store, documents.database
    data = b"%PDF-1.7 the same bytes for two citizens"
    with pytest.raises(RuntimeError), store.staged(data, database) as (first, _):
        assert first.created
        with store.staged(data, database) as (second, session):
            assert not second.created
            session.add(_row(second, "b" * 26))
        raise RuntimeError("the first transaction failed")
    assert store.read(first.sha256) == data


def test_a_writer_rewrites_the_file_a_failed_writer_removed_before_it_committed(documents):
    """The failed writer cleans up while the other has written its row but not committed: the
    other, holding the file's lock before its commit, finds the file gone and writes it again
    (PostgreSQL), or the clean-up waits for its commit and sees the row (SQLite)."""
    store, database = documents.store, documents.database
    data = b"%PDF-1.7 sealed twice"
    written, cleaned = threading.Event(), threading.Event()

    def fail_after_the_other_wrote() -> None:
        with contextlib.suppress(RuntimeError), store.staged(data, database) as (first, _):
            assert first.created
            written.wait(60)  # a cap: the other writes at once
            raise RuntimeError("the first transaction failed")
        cleaned.set()

    failing = threading.Thread(target=fail_after_the_other_wrote)
    failing.start()
    deadline = time.monotonic() + 60  # a cap, not a wait: the other transaction writes at once
    while not store.exists(digest(data)):
        assert failing.is_alive() and time.monotonic() < deadline, "the first transaction never wrote the file"
        time.sleep(0.01)
    with store.staged(data, database) as (second, session):
        session.add(_row(second, "c" * 26))
        session.flush()
        written.set()
        cleaned.wait(0.5)  # PostgreSQL: the clean-up removes the file now; SQLite: it waits
    failing.join(60)  # a cap
    assert store.read(second.sha256) == data


def test_the_file_is_kept_when_the_database_cannot_be_asked(documents, monkeypatch):
    store, database = documents.store, documents.database

    def unavailable(*args, **kwargs):
        raise OSError("database down")

    with pytest.raises(RuntimeError), store.staged(b"%PDF-1.7 d", database) as (stored, _):
        monkeypatch.setattr(database, "transaction", unavailable)
        raise RuntimeError("the transaction failed")
    assert store.exists(stored.sha256)


def test_bad_names_and_missing_files(tmp_path):
    store = DocumentStore(tmp_path)
    with pytest.raises(DocumentNotStored, match="is not a lower-case hex SHA-256"):
        store.read("../../etc/passwd")
    with pytest.raises(DocumentNotStored, match="no stored document has SHA-256"):
        store.read("0" * 64)


def test_a_file_changed_on_disk_is_not_the_stored_document(tmp_path):
    """Content addressing is checked on reading: the verification page would report, and
    offer for download, whatever file lies under a document's digest."""
    store = DocumentStore(tmp_path)
    stored = store.put(b"%PDF-1.7 issued")
    store.path(stored.sha256).write_bytes(b"%PDF-1.7 another document")
    with pytest.raises(DocumentNotStored, match="holds other bytes"):
        store.read(stored.sha256)


def test_a_writer_killed_mid_write_leaves_its_temporary_only_in_staging_which_is_swept(tmp_path):
    """Before: the temporary stood beside the finished files (`ab/cd/.xyz.part`), where nothing
    ever removed it; a node killed while sealing left it for good."""
    store = DocumentStore(tmp_path)
    stored = store.put(b"%PDF-1.7 staged")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        f"{stored.sha256[:2]}/{stored.sha256[2:4]}/{stored.sha256}.pdf"]
    # What a writer killed between its write and its rename leaves: one old, one in progress.
    killed = store.staging / ".killed.part"
    killed.write_bytes(b"%PDF-1.7 half")
    old = time.time() - 16 * 60
    os.utime(killed, (old, old))
    in_progress = store.staging / ".writing.part"
    in_progress.write_bytes(b"%PDF-1.7 half")
    assert store.sweep_temporaries() == 1
    assert not killed.exists() and in_progress.exists()  # another node's write is never touched
    assert store.read(stored.sha256) == b"%PDF-1.7 staged"


def test_the_documents_component_sweeps_staging_at_start(tmp_path):
    from idp.app import create_app

    staging = tmp_path / "documents" / ".staging"
    staging.mkdir(parents=True)
    killed = staging / ".killed.part"
    killed.write_bytes(b"%PDF-1.7 half")
    old = time.time() - 3600
    os.utime(killed, (old, old))
    create_app({"server": {"data_dir": str(tmp_path)}, "store": {"redis_url": ""},
                "database": {"url": f"sqlite:///{tmp_path / 'cedula.db'}"}})
    assert not killed.exists()
