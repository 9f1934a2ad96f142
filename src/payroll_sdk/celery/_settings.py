"""``CelerySettings``: what the Celery integration reads from the environment.

Every worker and every producer (``sync_users``) of one deployment must see the same values
for the broker, the Redis URL and its key prefix, and the global rate limit; the secret, the
base URL and the store URL matter to workers only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .._exceptions import ConfigurationError

__all__ = ["CelerySettings"]

DEFAULT_BROKER: Final = "redis://127.0.0.1:6379/0"
DEFAULT_PREFIX: Final = "payroll-sdk:"
DEFAULT_QUEUE: Final = "payroll-sdk"
#: Seconds an unacknowledged task may stay with a worker before Redis hands it to another.
#: It is how long a machine's death delays its chunks, and it must be longer than the
#: slowest chunk takes (countdowns included), or a slow chunk runs twice at once.
DEFAULT_VISIBILITY_TIMEOUT: Final = 3600.0


def _count(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}.") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be >= {minimum}, got {value}.")
    return value


def _non_negative_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}.") from None
    if not value >= 0:  # also refuses NaN
        raise ConfigurationError(f"{name} must be >= 0, got {raw!r}.")
    return value


@dataclass(frozen=True, slots=True)
class CelerySettings:
    """The integration's settings (``CelerySettings.from_env()`` reads them).

    - ``PAYROLL_CELERY_BROKER``: the broker (``redis://host:6379/0``; default local Redis db 0).
    - ``PAYROLL_REDIS_URL``: the Redis holding the global rate limit and batch progress
      (default: the broker, which must then be Redis).
    - ``PAYROLL_REDIS_PREFIX``: prefix of every key we and the broker write (``payroll-sdk:``).
    - ``PAYROLL_CELERY_QUEUE``: the queue chunk tasks go to (``payroll-sdk``).
    - ``PAYROLL_STORE_URL``: the :class:`~payroll_sdk.store.ProfileStore` database (workers).
    - ``PAYROLL_API_SECRET``, ``PAYROLL_BASE_URL``: read by each worker's client, as by any
      :class:`~payroll_sdk.PayrollClient`; never part of these settings or of task messages.
    - ``PAYROLL_RATE_LIMIT``: requests per second across ALL workers (a whole number; unset:
      no global limit).
    - ``PAYROLL_MAX_IN_FLIGHT``: requests in flight at once per worker process (default 50).
    - ``PAYROLL_USER_CONCURRENCY``: users synced at once per worker process (default 10).
    - ``PAYROLL_USER_RETRIES``: retries of users that failed for a transient reason (default 5).
    - ``PAYROLL_RETRY_AFTER_CAP``: the longest ``Retry-After`` a worker sleeps on in process;
      longer ones retry the users later with Celery's countdown (default 0: every 429 that
      names a wait goes to Celery).
    - ``PAYROLL_VISIBILITY_TIMEOUT``: seconds before a dead worker's tasks are delivered again
      (default 3600; must exceed the slowest chunk).
    """

    broker_url: str = DEFAULT_BROKER
    redis_url: str = DEFAULT_BROKER
    prefix: str = DEFAULT_PREFIX
    queue: str = DEFAULT_QUEUE
    store_url: str | None = None
    rate_limit: int | None = None
    max_in_flight: int = 50
    user_concurrency: int = 10
    user_retries: int = 5
    retry_after_cap: float = 0.0
    visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CelerySettings:
        """Settings from ``env`` (default ``os.environ``); a bad value raises
        :class:`~payroll_sdk.ConfigurationError` naming the variable."""
        env = os.environ if env is None else env
        broker = env.get("PAYROLL_CELERY_BROKER", "").strip() or DEFAULT_BROKER
        redis_url = env.get("PAYROLL_REDIS_URL", "").strip() or broker
        if not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigurationError(
                "The rate limit and the progress of batches live in Redis: set "
                "PAYROLL_REDIS_URL to a redis:// URL when the broker is not Redis."
            )
        rate_limit = _count(env, "PAYROLL_RATE_LIMIT", 0)
        return cls(
            broker_url=broker,
            redis_url=redis_url,
            prefix=env.get("PAYROLL_REDIS_PREFIX", "").strip() or DEFAULT_PREFIX,
            queue=env.get("PAYROLL_CELERY_QUEUE", "").strip() or DEFAULT_QUEUE,
            store_url=env.get("PAYROLL_STORE_URL", "").strip() or None,
            rate_limit=rate_limit or None,
            max_in_flight=_count(env, "PAYROLL_MAX_IN_FLIGHT", 50),
            user_concurrency=_count(env, "PAYROLL_USER_CONCURRENCY", 10),
            user_retries=_count(env, "PAYROLL_USER_RETRIES", 5, minimum=0),
            retry_after_cap=_non_negative_float(env, "PAYROLL_RETRY_AFTER_CAP", 0.0),
            visibility_timeout=float(
                _count(env, "PAYROLL_VISIBILITY_TIMEOUT", int(DEFAULT_VISIBILITY_TIMEOUT))
            ),
        )

    def __repr__(self) -> str:
        # URLs may carry passwords: show only which settings are set.
        return (
            f"CelerySettings(queue={self.queue!r}, prefix={self.prefix!r}, "
            f"rate_limit={self.rate_limit}, max_in_flight={self.max_in_flight}, "
            f"user_concurrency={self.user_concurrency}, user_retries={self.user_retries})"
        )
