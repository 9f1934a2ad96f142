"""What every resource shares: the transport and the options of the client it belongs to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import pydantic

from .._transport import CallOptions, Transport

_M = TypeVar("_M", bound=pydantic.BaseModel)


class Resource:
    """A group of typed methods over one part of the API. Thin: build the path and query,
    validate arguments, let the transport do the rest."""

    def __init__(self, transport: Transport, options: CallOptions) -> None:
        self._transport = transport
        self._options = options

    async def _get(
        self, path: str, cast_to: type[_M], params: Mapping[str, str | int] | None = None
    ) -> _M:
        return await self._transport.get(
            path, cast_to=cast_to, options=self._options, params=params
        )


def query(**values: object) -> dict[str, str | int]:
    """Query parameters with ``None`` dropped and dates in ``YYYY-MM-DD`` form."""
    params: dict[str, str | int] = {}
    for name, value in values.items():
        if value is None:
            continue
        params[name] = value if isinstance(value, int) else str(value)
    return params
