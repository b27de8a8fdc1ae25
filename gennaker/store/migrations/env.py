"""Alembic environment: runs migrations on the connection ``Database.upgrade`` hands in (or on
``GENNAKER_DATABASE_URL`` when Alembic is run by hand)."""

from __future__ import annotations

from alembic import context

from gennaker.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    from gennaker.store.database import Database

    db = Database()
    with db.engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata)
    context.run_migrations()
