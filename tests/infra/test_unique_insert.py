"""Rows added under a savepoint: a unique-constraint refusal raises the caller's error and
keeps the rest of the transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from infra.unique_insert import insert_unique


class _Base(DeclarativeBase):
    pass


class _Row(_Base):
    __tablename__ = "rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(20), unique=True)


class _Taken(Exception):
    pass


@pytest.fixture
def session():
    engine = sa.create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session


def test_rows_are_added_in_order(session):
    insert_unique(session, _Row(id=1, name="a"), _Row(id=2, name="b"), taken=_Taken("no"))
    assert session.scalars(sa.select(_Row.name).order_by(_Row.id)).all() == ["a", "b"]


def test_a_refused_row_raises_the_given_error_and_keeps_the_transaction(session):
    session.add(_Row(id=1, name="a"))
    session.flush()
    with pytest.raises(_Taken, match="already there") as raised:
        insert_unique(session, _Row(id=2, name="b"), _Row(id=3, name="a"), taken=_Taken("already there"))
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    # Only the savepoint was rolled back: the earlier row stays, the refused batch is gone.
    assert session.scalars(sa.select(_Row.name)).all() == ["a"]
