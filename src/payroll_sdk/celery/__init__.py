"""Sync millions of users on Celery workers across machines, under one global rate limit.

::

    # PAYROLL_CELERY_BROKER=redis://... PAYROLL_STORE_URL=postgresql+asyncpg://...
    # PAYROLL_API_SECRET=... PAYROLL_RATE_LIMIT=200 (requests/s across ALL workers)
    from payroll_sdk.celery import sync_users

    handle = sync_users(user_ids, chunk_size=100)   # one task per 100 users
    print(handle.progress())                        # 812/1000 done, 3 failed, 185 pending

Workers: ``celery -A payroll_sdk.celery worker`` (prefork, one process per core) or
``payroll-sdk worker``. Each worker process keeps one event loop, one
:class:`~payroll_sdk.PayrollClient` and one :class:`~payroll_sdk.store.ProfileStore` for its
life. Tasks are acknowledged late, so a dead worker's chunks run again elsewhere, and the
store's runs make that harmless. Your own Celery app: ``install(your_app)``. Settings:
:class:`CelerySettings`. Needs the ``celery`` extra; ``docs/scale.md`` tells how to run it on
many machines.
"""

from ._app import create_app
from ._progress import Progress, SyncHandle
from ._ratelimit import GlobalRateLimit, RateLimitedTransport
from ._settings import CelerySettings
from ._tasks import TASK_NAME, install, sync_users

#: The app ``celery -A payroll_sdk.celery worker`` runs, configured from the environment.
app = create_app()

__all__ = [
    "TASK_NAME",
    "CelerySettings",
    "GlobalRateLimit",
    "Progress",
    "RateLimitedTransport",
    "SyncHandle",
    "app",
    "create_app",
    "install",
    "sync_users",
]
