"""Alembic environment of the profile store's schema.

Run only through :mod:`payroll_sdk.store._migrate`, which hands over an open connection in
``config.attributes["connection"]`` (the store applies its own migrations; there is no
``alembic.ini`` and no URL here).
"""

from __future__ import annotations

from alembic import context

from payroll_sdk.store._schema import METADATA, VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=METADATA,
    version_table=VERSION_TABLE,
    # SQLite cannot ALTER most things in place: later migrations use batch mode there.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
