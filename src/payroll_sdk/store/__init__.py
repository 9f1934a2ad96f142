"""Sync end users' payroll data into your own database: an incremental, crash-safe store.

::

    from payroll_sdk import PayrollClient
    from payroll_sdk.store import ProfileStore

    async with ProfileStore("sqlite+aiosqlite:///payroll.db") as store:  # or PAYROLL_STORE_URL
        async with PayrollClient() as client:
            result = await store.sync(client, "user_123")  # first call: everything; then: new
            async for result in store.sync_many(client, user_ids, concurrency=20):
                ...
        profile = await store.load_profile("user_123")  # a PayrollProfile rebuilt from the rows

SQLite (embedded, the default) and PostgreSQL (``postgresql+asyncpg://...``), through
SQLAlchemy 2 Core on an async engine; the schema is versioned with Alembic migrations shipped
in this package and applied when the store opens. Needs the ``store`` extra:
``pip install 'payroll-sdk[store]'``. ``docs/store.md`` explains the schema, the watermarks and
their overlap, crash safety, webhooks and migrations.
"""

from ._errors import StoreError
from ._pii import PiiMode
from ._records import RunRecord, RunStatus, SyncResult, SyncStatus
from ._store import DEFAULT_OVERLAP, ProfileStore

__all__ = [
    "DEFAULT_OVERLAP",
    "PiiMode",
    "ProfileStore",
    "RunRecord",
    "RunStatus",
    "StoreError",
    "SyncResult",
    "SyncStatus",
]
