"""The runs table: a row per sync, written when it starts and again when it ends."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.engine import Row

from ..models.profile import FailureReason, Problem
from ._records import RunRecord, RunStatus
from ._schema import RUNS

__all__ = ["finish_run", "read_runs", "run_counts", "start_run", "users_with_status"]


def start_run(
    connection: Connection,
    *,
    end_user_id: str,
    batch_id: str | None,
    trigger: str,
    full: bool,
    started_at: datetime,
) -> int:
    result = connection.execute(
        insert(RUNS)
        .values(
            end_user_id=end_user_id,
            batch_id=batch_id,
            trigger=trigger,
            full=full,
            status="running",
            started_at=started_at,
            accounts=0,
            added=0,
            updated=0,
            requests=0,
        )
        .returning(RUNS.c.id)
    )
    return int(result.scalar_one())


def finish_run(
    connection: Connection,
    run_id: int,
    *,
    status: RunStatus,
    finished_at: datetime,
    accounts: int,
    added: int,
    updated: int,
    requests: int,
    problems: Sequence[Problem],
    error: FailureReason | None,
) -> None:
    connection.execute(
        update(RUNS)
        .where(RUNS.c.id == run_id)
        .values(
            status=status,
            finished_at=finished_at,
            accounts=accounts,
            added=added,
            updated=updated,
            requests=requests,
            problems=json.dumps([p.model_dump(mode="json") for p in problems])
            if problems
            else None,
            error=error.model_dump_json() if error is not None else None,
        )
    )


def read_runs(
    connection: Connection,
    *,
    end_user_id: str | None,
    batch_id: str | None,
    limit: int,
) -> list[RunRecord]:
    query = select(RUNS).order_by(RUNS.c.id.desc()).limit(limit)
    if end_user_id is not None:
        query = query.where(RUNS.c.end_user_id == end_user_id)
    if batch_id is not None:
        query = query.where(RUNS.c.batch_id == batch_id)
    return [_record(row) for row in connection.execute(query)]


def run_counts(connection: Connection, batch_id: str) -> dict[str, int]:
    result = connection.execute(
        select(RUNS.c.status, func.count())
        .where(RUNS.c.batch_id == batch_id)
        .group_by(RUNS.c.status)
    )
    return {status: int(count) for status, count in result}


def users_with_status(
    connection: Connection,
    batch_id: str,
    end_user_ids: Sequence[str],
    statuses: Sequence[RunStatus],
) -> set[str]:
    """Which of ``end_user_ids`` have a run of ``batch_id`` in one of ``statuses``."""
    found: set[str] = set()
    # In slices: one IN list per query stays far below every database's parameter limit.
    for start in range(0, len(end_user_ids), 500):
        result = connection.execute(
            select(RUNS.c.end_user_id)
            .where(
                RUNS.c.batch_id == batch_id,
                RUNS.c.status.in_(list(statuses)),
                RUNS.c.end_user_id.in_(list(end_user_ids[start : start + 500])),
            )
            .distinct()
        )
        found.update(row[0] for row in result)
    return found


def _record(row: Row[Any]) -> RunRecord:
    problems = [Problem.model_validate(p) for p in json.loads(row.problems)] if row.problems else []
    return RunRecord(
        id=row.id,
        end_user_id=row.end_user_id,
        batch_id=row.batch_id,
        trigger=row.trigger,
        full=row.full,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        accounts=row.accounts,
        added=row.added,
        updated=row.updated,
        requests=row.requests,
        problems=problems,
        error=FailureReason.model_validate_json(row.error) if row.error else None,
    )
