"""Alembic environment: one migration branch per package, all sharing one database."""

from alembic import context

from infra.db import create_engine

config = context.config
url = config.attributes["url"]
schema = config.attributes["schema"]  # the application's infra.db.Schema


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=schema.metadata(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=schema.metadata(),
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
