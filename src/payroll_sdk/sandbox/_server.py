"""Running the sandbox for real: uvicorn in a background thread, or in its own process."""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from types import TracebackType
from typing import IO, Any, Literal, Self
from urllib.parse import quote

from starlette.applications import Starlette

from .._config import ENV_BASE_URL
from ._app import create_app
from ._config import ENV_SANDBOX_SECRET, SandboxConfig
from ._faults import SandboxConnectionDropped
from ._stats import SandboxStats

__all__ = [
    "SandboxProcess",
    "SandboxServer",
    "quiet_dropped_connections",
    "sandbox_cli_args",
    "sandbox_env",
]

_START_TIMEOUT = 15.0


class _DropFilter(logging.Filter):
    """Hides uvicorn's traceback for the deliberate ``drop`` fault (it is not a bug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, SandboxConnectionDropped)


def quiet_dropped_connections() -> None:
    """Install the filter that keeps ``drop`` faults out of uvicorn's error log."""
    error_logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropFilter) for f in error_logger.filters):
        error_logger.addFilter(_DropFilter())


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0: a free one), so the port is known before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio only disables Nagle on accepted sockets whose proto is
    # IPPROTO_TCP, and with Nagle on every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class _Listening:
    """What both runners share: ``with`` calls start()/stop(); once started they expose the
    port, the base URL and the secret."""

    config: SandboxConfig
    host: str
    _port: int | None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"the sandbox ({type(self).__name__}) is not running")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}/v1"

    @property
    def secret(self) -> str:
        return self.config.secret

    def add_records(
        self,
        end_user_id: str,
        resource: Literal["paystubs", "shifts"] = "paystubs",
        *,
        count: int = 1,
        account: int = 0,
        on: date | None = None,
    ) -> list[dict[str, Any]]:
        """Add paystubs or shifts to a user of the running sandbox, dated ``on`` (default its
        ``today``), through ``POST /_sandbox/end_users/{id}/{resource}``; return them as they
        are served. ``ValueError`` when the sandbox refuses (see
        ``SandboxData.add_records``)."""
        body: dict[str, Any] = {"count": count, "account": account}
        if on is not None:
            body["date"] = on.isoformat()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request(
                "POST",
                f"/_sandbox/end_users/{quote(end_user_id, safe='')}/{resource}",
                body=json.dumps(body),
                headers={"X-API-SECRET": self.secret, "Content-Type": "application/json"},
            )
            response = connection.getresponse()
            answer = json.loads(response.read())
        finally:
            connection.close()
        if response.status != 200:
            raise ValueError(answer.get("error", {}).get("message") or f"status {response.status}")
        records: list[dict[str, Any]] = answer["data"]
        return records

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class SandboxServer(_Listening):
    """The sandbox served by uvicorn in a background thread on loopback.

    ``with SandboxServer() as server:`` (or ``start()`` / ``stop()``); ``base_url`` ends in
    ``/v1``. ``start()`` returns once the socket accepts connections; ``stop()`` shuts uvicorn
    down gracefully and joins the thread.
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or SandboxConfig()
        self.host = host
        self.app: Starlette = create_app(self.config)
        self._requested_port = port
        self._port: int | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._error: BaseException | None = None

    @property
    def stats(self) -> SandboxStats:
        stats: SandboxStats = self.app.state.sandbox.stats
        return stats

    def start(self) -> Self:
        import uvicorn

        if self._thread is not None:
            raise RuntimeError("the sandbox server is already running")
        sock = bind_socket(self.host, self._requested_port)
        self._socket = sock
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        quiet_dropped_connections()
        server = uvicorn.Server(config)
        self._server = server

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # reported by start() / stop(), not lost in a thread
                self._error = exc

        self._thread = threading.Thread(target=run, name="payroll-sdk-sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the sandbox server did not start: {self._error!r}")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._port = None


def sandbox_env(config: SandboxConfig) -> dict[str, str]:
    """The environment variables that, with :func:`sandbox_cli_args`, recreate ``config``
    (the secret travels here: never on a command line, where ``ps`` shows it)."""
    return {ENV_SANDBOX_SECRET: config.secret}


def sandbox_cli_args(config: SandboxConfig) -> list[str]:
    """The ``python -m payroll_sdk.sandbox`` options that, with :func:`sandbox_env`, recreate
    ``config``."""
    args = [
        "--seed", str(config.seed),
        "--history-months", str(config.history_months),
        "--latency-ms", repr(config.latency.ms),
        "--jitter-ms", repr(config.latency.jitter_ms),
        "--fault-rate", repr(config.faults.rate),
        "--fault-kinds", ",".join(config.faults.kinds),
        "--fault-seed", str(config.faults.seed),
        "--retry-after", repr(config.faults.retry_after_seconds),
        "--slow-seconds", repr(config.faults.slow_seconds),
    ]  # fmt: skip
    for name, ms in config.latency.per_endpoint.items():
        args += ["--endpoint-latency", f"{name}={ms!r}"]
    if config.faults.script:
        args += ["--faults", config.faults.script]
    if config.today is not None:
        args += ["--today", config.today.isoformat()]
    return args


class SandboxProcess(_Listening):
    """The sandbox in its own process (``python -m payroll_sdk.sandbox``), for benchmarks.

    A context manager like :class:`SandboxServer`; ``start()`` waits until the server answers
    ``GET /_sandbox/health``. Stats live in the other process: read them with
    ``GET /_sandbox/stats`` (see :meth:`fetch_stats`).
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or SandboxConfig()
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> Self:
        if self._process is not None:
            raise RuntimeError("the sandbox process is already running")
        command = [
            sys.executable, "-m", "payroll_sdk.sandbox",
            "--host", self.host, "--port", str(self._requested_port),
            "--log-level", "warning", *sandbox_cli_args(self.config),
        ]  # fmt: skip
        env = {**os.environ, **sandbox_env(self.config), "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env
        )
        self._process = process
        try:
            self._port = self._read_port(process.stdout)
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _read_port(self, stdout: IO[str] | None) -> int:
        assert stdout is not None
        for line in stdout:  # the first lines name the URL; then the child prints nothing
            if line.startswith(f"{ENV_BASE_URL}="):
                url = line.strip().split("=", 1)[1]
                return int(url.rsplit(":", 1)[1].split("/", 1)[0])
        raise RuntimeError("the sandbox process exited before announcing its URL")

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            try:
                status, _ = self._get("/_sandbox/health")
                if status == 200:
                    return
            except OSError:
                pass
            if self._process is None or self._process.poll() is not None:
                raise RuntimeError("the sandbox process exited during start-up")
            if time.monotonic() > deadline:
                raise RuntimeError("the sandbox process did not become healthy in time")
            time.sleep(0.02)

    def _get(self, path: str, *, method: str = "GET") -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=5)
        try:
            connection.request(method, path, headers={"X-API-SECRET": self.secret})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def fetch_stats(self) -> dict[str, Any]:
        """The other process's stats (``GET /_sandbox/stats``)."""
        status, body = self._get("/_sandbox/stats")
        if status != 200:
            raise RuntimeError(f"GET /_sandbox/stats answered {status}")
        stats: dict[str, Any] = json.loads(body)
        return stats

    def reset_stats(self) -> None:
        """Zero the other process's stats and fault counters (``POST /_sandbox/reset``)."""
        self._get("/_sandbox/reset", method="POST")

    def stop(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        self._port = None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            with contextlib.suppress(OSError):
                process.stdout.close()
