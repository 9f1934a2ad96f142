"""Real Celery workers for the tests: ``celery -A payroll_sdk.celery worker`` processes against
the machine's Redis, each in its own session so a test can SIGKILL one whole worker (its
main process and its pool children) the way a machine dies.

Every test session uses its own queue and Redis key prefix (the broker's keys included, via
kombu's ``global_keyprefix``), deleted afterwards, so it never meets another session's tasks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from payroll_sdk.celery import CelerySettings, SyncHandle, create_app, sync_users

_READY_TIMEOUT = 60.0


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tasks_succeeded(self) -> int:
        return self.log_text().count("succeeded in")

    def tasks_received(self) -> int:
        return self.log_text().count("] received")

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass
class Cluster:
    """Workers sharing one broker, one store and one sandbox."""

    env: dict[str, str]
    log_dir: Path
    workers: list[Worker] = field(default_factory=list)

    @property
    def settings(self) -> CelerySettings:
        return CelerySettings.from_env(self.env)

    def start_worker(self, name: str, *, concurrency: int = 1, cli: bool = False) -> Worker:
        """``celery -A payroll_sdk.celery worker``, or ``payroll-sdk worker`` with ``cli``."""
        log = self.log_dir / f"{name}.log"
        common = [
            "--pool", "prefork", "--concurrency", str(concurrency),
            "--hostname", f"{name}@%h", "--loglevel", "INFO",
        ]  # fmt: skip
        if cli:
            command = [sys.executable, "-m", "payroll_sdk", "worker", *common]
        else:
            command = [
                sys.executable, "-m", "celery", "-A", "payroll_sdk.celery", "worker", *common,
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ]  # fmt: skip
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                env={**os.environ, **self.env, "PYTHONUNBUFFERED": "1"},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches its children
            )
        worker = Worker(name, process, log)
        self.workers.append(worker)
        return worker

    def wait_ready(self, workers: Iterable[Worker] | None = None) -> None:
        deadline = time.monotonic() + _READY_TIMEOUT
        for worker in list(workers or self.workers):
            while " ready." not in worker.log_text():
                if not worker.alive or time.monotonic() > deadline:
                    raise RuntimeError(f"worker {worker.name} did not start:\n{worker.log_text()}")
                time.sleep(0.1)

    def kill(self, worker: Worker) -> None:
        """SIGKILL the worker and its pool children at once (a machine dying)."""
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)

    def stop(self) -> None:
        for worker in self.workers:
            if worker.alive:
                os.killpg(worker.process.pid, signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.process.pid, signal.SIGKILL)
                worker.process.wait(timeout=10)

    def sync(self, user_ids: list[str], chunk_size: int) -> SyncHandle:
        app = create_app(self.settings)
        try:
            return sync_users(user_ids, chunk_size, app=app)
        finally:
            app.close()

    def wait(self, handle: SyncHandle, timeout: float) -> Any:
        progress = handle.wait(poll=0.2, timeout=timeout)
        if not progress.finished:
            logs = "\n".join(f"--- {w.name}\n{w.log_text()[-3000:]}" for w in self.workers)
            raise AssertionError(f"batch not finished in {timeout}s: {progress}\n{logs}")
        return progress


def cluster_env(
    *,
    redis_url: str,
    prefix: str,
    store_url: str,
    base_url: str,
    secret: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    return {
        "PAYROLL_CELERY_BROKER": redis_url,
        "PAYROLL_REDIS_PREFIX": prefix,
        "PAYROLL_CELERY_QUEUE": f"{prefix}queue",
        "PAYROLL_STORE_URL": store_url,
        "PAYROLL_BASE_URL": base_url,
        "PAYROLL_API_SECRET": secret,
        **(extra or {}),
    }


def delete_prefix(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    finally:
        client.close()


class ArrivalServer:
    """``arrivals.py`` (the sandbox noting each request's arrival) in its own process:
    ``with ArrivalServer(tmp) as server: ...``, then ``server.arrivals``."""

    SECRET = "sandbox-secret"

    def __init__(self, workdir: Path, *, history_months: int, today: str) -> None:
        self._out = workdir / f"arrivals-{os.getpid()}-{time.monotonic_ns()}.json"
        self._args = ["--history-months", str(history_months), "--today", today]
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.secret = self.SECRET
        self.arrivals: list[float] = []

    def __enter__(self) -> ArrivalServer:
        script = Path(__file__).with_name("arrivals.py")
        process = subprocess.Popen(
            [sys.executable, str(script), str(self._out), *self._args],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        self._process = process
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT="):
            process.kill()
            raise RuntimeError(f"the arrivals server did not start: {line!r}")
        self.base_url = f"http://127.0.0.1:{int(line.split('=', 1)[1])}/v1"
        return self

    def __exit__(self, *exc_info: object) -> None:
        import json

        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)
        self._process.wait(timeout=30)
        if self._process.stdout is not None:
            self._process.stdout.close()
        if self._out.exists():
            self.arrivals = json.loads(self._out.read_text())
