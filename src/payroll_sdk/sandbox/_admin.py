"""The sandbox's own routes under ``/_sandbox/``: stats, reset, health and adding records."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._additions import ADDABLE
from ._wire import ApiError, dumps, error_response, json_response, new_request_id

if TYPE_CHECKING:
    from ._app import Sandbox

__all__ = ["admin_routes"]


def _bad_secret() -> ApiError:
    return ApiError(
        401, "UNAUTHORIZED_REQUEST", "INVALID_API_SECRET", "The API secret is not valid."
    )


def admin_routes(sandbox: Sandbox) -> list[Route]:
    async def stats(request: Request) -> Response:
        request_id = new_request_id()
        secret = request.headers.get("x-api-secret")
        if not sandbox.secret_matches(secret.encode() if secret is not None else None):
            return error_response(
                ApiError(
                    401,
                    "UNAUTHORIZED_REQUEST",
                    "INVALID_API_SECRET",
                    "The API secret is not valid.",
                ),
                request_id,
            )
        if request.method == "POST":
            sandbox.reset()
        return json_response(dumps(sandbox.stats.as_dict()), request_id)

    async def health(request: Request) -> Response:
        return json_response(b'{"status":"ok"}', new_request_id())

    async def add(request: Request) -> Response:
        # POST /_sandbox/end_users/{end_user_id}/{paystubs|shifts}
        # body (optional): {"count": 1, "account": 0, "date": "YYYY-MM-DD"}
        request_id = new_request_id()
        secret = request.headers.get("x-api-secret")
        if not sandbox.secret_matches(secret.encode() if secret is not None else None):
            return error_response(_bad_secret(), request_id)
        resource = request.path_params["resource"]
        try:
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            day = body.get("date")
            records = sandbox.add_records(
                request.path_params["end_user_id"],
                resource if resource in ADDABLE else "",  # type: ignore[arg-type]
                count=body.get("count", 1),
                account=body.get("account", 0),
                on=date.fromisoformat(day) if day is not None else None,
            )
        except (ValueError, TypeError) as exc:
            return error_response(ApiError.invalid(resource, str(exc)), request_id)
        return json_response(dumps({"data": records}), request_id)

    return [
        Route("/_sandbox/end_users/{end_user_id}/{resource}", add, methods=["POST"]),
        Route("/_sandbox/stats", stats, methods=["GET"]),
        Route("/_sandbox/reset", stats, methods=["POST"]),
        Route("/_sandbox/health", health, methods=["GET"]),
    ]
