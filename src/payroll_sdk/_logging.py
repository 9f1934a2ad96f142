"""The ``payroll_sdk`` logger: off unless asked for, and never a carrier of secrets.

``PAYROLL_LOG=info`` (or ``debug``) attaches a stderr handler to the ``payroll_sdk`` logger;
applications can also configure that logger themselves. Either way, :class:`RedactingFilter`
sits on the logger and scrubs every API secret a client in this process was built with, and any
``X-API-SECRET`` header value, from each record before it is emitted.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from typing import Final

from ._config import ENV_LOG

__all__ = ["RedactingFilter", "logger", "register_secret", "setup_logging"]

logger: Final = logging.getLogger("payroll_sdk")

_REDACTED: Final = "[REDACTED]"
_HEADER_PATTERN: Final = re.compile(r"(?i)(x-api-secret['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}]+)")
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_configured = False


def register_secret(secret: str) -> None:
    """Remember a secret so the filter can scrub it from any log record."""
    with _secrets_lock:
        _secrets.add(secret)


def redact(text: str) -> str:
    """``text`` with every registered secret and ``X-API-SECRET`` header value replaced."""
    text = _HEADER_PATTERN.sub(lambda m: m.group(1) + _REDACTED, text)
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, _REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (arguments merged in) with secrets scrubbed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        # A logged exception's text (its message can hold a secret) is rendered here, once,
        # and redacted: formatters use a record's exc_text instead of formatting exc_info.
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACK_FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_TRACEBACK_FORMATTER: Final = logging.Formatter()


logger.addFilter(RedactingFilter())


def setup_logging() -> None:
    """Attach a stderr handler to the ``payroll_sdk`` logger if ``PAYROLL_LOG`` asks for one.

    Called when a client is built; idempotent.
    """
    global _configured
    if _configured:
        return
    level_name = os.environ.get(ENV_LOG, "").strip().lower()
    if level_name not in ("debug", "info"):
        return
    _configured = True
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level_name == "debug" else logging.INFO)
