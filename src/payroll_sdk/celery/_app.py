"""``create_app``: a Celery app configured from the environment, with the chunk task."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._settings import CelerySettings
from ._tasks import install

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["create_app"]


def create_app(settings: CelerySettings | None = None) -> Celery:
    """A Celery app for payroll syncs (``settings`` default to the environment).

    Its broker is ``PAYROLL_CELERY_BROKER``; tasks go to ``PAYROLL_CELERY_QUEUE``; every key
    the broker writes in Redis starts with ``PAYROLL_REDIS_PREFIX``; no result backend (the
    progress of a batch is kept beside it, see :class:`~payroll_sdk.celery.SyncHandle`).
    """
    from celery import Celery

    settings = settings or CelerySettings.from_env()
    app = Celery("payroll_sdk", set_as_current=False)
    app.conf.update(
        broker_url=settings.broker_url,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            # How long a task stays with a worker unacknowledged before Redis gives it to
            # another: the delay before a dead machine's chunks run elsewhere.
            "visibility_timeout": settings.visibility_timeout,
            "global_keyprefix": settings.prefix,
        },
        task_default_queue=settings.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        # A worker whose broker connection drops cannot acknowledge what it runs: stop it,
        # the broker delivers it again.
        worker_cancel_long_running_tasks_on_connection_loss=True,
    )
    install(app, settings)
    return app
