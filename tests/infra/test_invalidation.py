"""The cache generation (infra.invalidation): advanced after each commit that updated or
deleted rows of a watched table, by nothing else; read once per request by the caches."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from infra.db import create_engine
from infra.invalidation import NO_GENERATION, GenerationCache, Invalidation
from infra.store import MemoryStore
from infra.store.base import StoreError

metadata = sa.MetaData()
watched = sa.Table("watched", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.Integer))
other = sa.Table("other", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.Integer))


@pytest.fixture
def setup(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(watched.insert(), [{"id": 1, "v": 0}])
        conn.execute(other.insert(), [{"id": 1, "v": 0}])
    invalidation = Invalidation(MemoryStore())
    invalidation.watch(engine, ["watched"])
    yield engine, invalidation
    engine.dispose()


def test_a_committed_update_or_delete_of_a_watched_table_advances_the_generation(setup):
    engine, invalidation = setup
    before = invalidation.generation()
    with engine.begin() as conn:
        conn.execute(watched.update().values(v=1))
    after_update = invalidation.generation()
    with engine.begin() as conn:
        conn.execute(watched.delete().where(watched.c.id == 1))
    assert len({before, after_update, invalidation.generation()}) == 3


@pytest.mark.parametrize("write", [
    lambda conn: conn.execute(watched.insert().values(id=2, v=0)),  # a new row makes no kept row wrong
    lambda conn: conn.execute(other.update().values(v=1)),  # not watched
    lambda conn: conn.execute(watched.update().values(v=1).execution_options(cache_neutral=True)),
    lambda conn: conn.execute(sa.select(watched)),
])
def test_other_statements_leave_it(setup, write):
    engine, invalidation = setup
    before = invalidation.generation()
    with engine.begin() as conn:
        write(conn)
    assert invalidation.generation() == before


def test_a_rolled_back_update_leaves_it(setup):
    engine, invalidation = setup
    before = invalidation.generation()
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(watched.update().values(v=1))
        raise RuntimeError("rolled back")
    with engine.begin() as conn:  # the same pooled connection, a clean transaction
        conn.execute(sa.select(watched))
    assert invalidation.generation() == before


def test_it_advances_only_after_the_commit(setup):
    """Readers must not see the new generation while the old rows are still what they read."""
    engine, invalidation = setup
    before = invalidation.generation()
    with engine.begin() as conn:
        conn.execute(watched.update().values(v=1))
        assert invalidation.generation() == before
    assert invalidation.generation() != before


class DownStore(MemoryStore):
    def get(self, key):
        raise StoreError("down")

    def set(self, key, value, ttl):
        raise StoreError("down")


def test_a_store_that_is_down_means_no_cache_and_no_failure(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'y.db'}")
    metadata.create_all(engine)
    invalidation = Invalidation(DownStore())
    invalidation.watch(engine, ["watched"])
    assert invalidation.generation() == NO_GENERATION
    with engine.begin() as conn:  # the commit stands, the bump is only logged
        conn.execute(watched.insert().values(id=1, v=0))
        conn.execute(watched.update().values(v=1))
    cache: GenerationCache[str, str] = GenerationCache(seconds=60)
    cache.put("k", "v", NO_GENERATION)
    assert cache.get("k", NO_GENERATION) is None
    engine.dispose()


def test_entries_need_their_generation_and_their_time():
    now = [100.0]
    cache: GenerationCache[str, str] = GenerationCache(seconds=10, clock=lambda: now[0])
    cache.put("k", "v", b"g1")
    assert cache.get("k", b"g1") == "v"
    assert cache.get("k", b"g2") is None
    now[0] = 110.5
    assert cache.get("k", b"g1") is None
