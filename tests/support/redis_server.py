"""A real Redis for tests: Debian's ``redis-server`` on a unix socket in a temp dir, one per test session.

Fixtures (registered in ``tests/conftest.py``)
- ``redis_server`` (session): the started :class:`RedisServer`; stopped (SIGTERM, then SIGKILL) after the session.
- ``redis_url`` (function): ``unix:///.../redis.sock`` of that server, emptied (FLUSHALL) before the test, so
  every test starts from an empty store. Use it with redis-py's asyncio API:
  ``redis.asyncio.Redis.from_url(redis_url)``.

No persistence (``--save '' --appendonly no``), no TCP (``--port 0``), the socket readable by this user only.
Without ``redis-server`` on PATH (``apt-get install -y redis-server``) or without redis-py (``pip install -e
".[test]"``) the tests that use these fixtures are skipped with the reason; ``MODBOT_TEST_REQUIRE_REDIS=1`` (set by
``.ci/run``, which installs both) turns that skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REQUIRE_ENV = "MODBOT_TEST_REQUIRE_REDIS"
START_TIMEOUT = 10.0


def redis_binary() -> str | None:
    """The ``redis-server`` executable, or None."""
    return shutil.which("redis-server") or next(
        (path for path in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if os.access(path, os.X_OK)), None)


def missing_reason() -> str | None:
    """Why Redis tests cannot run here (no server binary, no client library), or None."""
    if redis_binary() is None:
        return "redis-server is not installed (apt-get install -y redis-server)"
    try:
        import redis.asyncio  # noqa: F401
    except ImportError:
        return "redis-py is not installed (pip install -e '.[test]')"
    return None


def skip_or_fail(reason: str) -> None:
    """Skip the test with ``reason``, or fail it when ``MODBOT_TEST_REQUIRE_REDIS=1``."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}; {REQUIRE_ENV}=1 requires Redis", pytrace=False)
    pytest.skip(reason)


class RedisServer:
    """One ``redis-server`` child process listening only on a unix socket."""

    def __init__(self, binary: str, folder: Path) -> None:
        self.binary = binary
        self.folder = folder
        self.socket = folder / "redis.sock"
        self.log = folder / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        command = [
            self.binary, "--port", "0", "--bind", "127.0.0.1",
            "--unixsocket", str(self.socket), "--unixsocketperm", "700",
            "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--dir", str(self.folder), "--logfile", str(self.log), "--databases", "4",
        ]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}:\n{self.log_text()}")
            if self.socket.exists() and self.ping():
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not answer within {START_TIMEOUT} s:\n{self.log_text()}")

    def client(self) -> Any:
        """A sync redis-py client on the socket (redis-py is imported here: it may be absent)."""
        import redis

        return redis.Redis(unix_socket_path=str(self.socket), socket_timeout=5)

    def ping(self) -> bool:
        try:
            with self.client() as client:
                return bool(client.ping())
        except Exception:  # not up yet
            return False

    def flush(self) -> None:
        with self.client() as client:
            client.flushall()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    reason = missing_reason()
    if reason is not None:
        skip_or_fail(reason)
    binary = redis_binary()
    assert binary is not None
    # A short path in /tmp: unix socket paths are limited to ~107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="modbot-redis-"))
    server = RedisServer(binary, folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    redis_server.flush()
    return redis_server.url
