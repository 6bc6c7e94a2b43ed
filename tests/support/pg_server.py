"""A throwaway PostgreSQL for tests: one cluster per test session, one database per test, unix socket only.

``initdb`` makes a cluster in a temp folder and ``pg_ctl`` starts it with ``listen_addresses=''`` (no TCP: the
socket lives in the same folder), fsync off. PostgreSQL refuses to run as root, so as root the cluster belongs to
``nobody``. The cluster stops when the pytest session ends (``config.add_cleanup``); its folder is removed.

Each test gets a fresh database copied from a template that is migrated once (``CREATE DATABASE ... TEMPLATE``),
dropped after the test. Without PostgreSQL (binaries from Debian's ``postgresql`` package, found under
``/usr/lib/postgresql/*/bin`` or on PATH) or without asyncpg, PostgreSQL tests are skipped with the reason; with
``MODBOT_TEST_REQUIRE_PG=1`` (set by ``.ci/run``) they fail instead, so CI cannot skip them silently.

Fixtures use :func:`database_for` (``tests/storage/conftest.py``, ``tests/moderation/conftest.py``): it yields an
opened :class:`bot.storage.Database` for the ``sqlite`` or ``postgresql`` parameter.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.storage import Database

REQUIRE_ENV = "MODBOT_TEST_REQUIRE_PG"
ENGINES = ("sqlite", "postgresql")
TEMPLATE = "modbot_template"
_SERVER_KEY = pytest.StashKey["PgServer | str"]()
_names = itertools.count(1)


def find_bin_dir() -> Path | None:
    """The folder of ``postgres`` and ``pg_ctl``: the newest Debian cluster version, else PATH."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version(p.parent.name),
                            reverse=True):
        if (candidate / "pg_ctl").exists() and (candidate / "postgres").exists():
            return candidate
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def _version(name: str) -> float:
    try:
        return float(name)
    except ValueError:
        return 0.0


class PgServer:
    """One cluster in a temp folder, reached through its unix socket as the superuser ``postgres``."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.base = Path(tempfile.mkdtemp(prefix="modbot-pg-"))
        self.data = self.base / "data"
        self.socket_dir = self.base / "sock"
        self.log = self.base / "postgres.log"
        self._user: dict[str, Any] = {}
        self.template_ready = False

    def start(self) -> None:
        """initdb, then start and wait until it accepts connections (raises with the server log on failure)."""
        self.socket_dir.mkdir()
        if os.geteuid() == 0:  # postgres will not run as root
            nobody = pwd.getpwnam("nobody")
            for path in (self.base, self.socket_dir):
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
            self._user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C",
                  "-N")
        options = (f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=200")
        try:
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        except subprocess.CalledProcessError as exc:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{log}") from exc

    def stop(self) -> None:
        """Stop the cluster (fast shutdown) and remove its folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([str(self.bin_dir / program), *args], check=True, capture_output=True, text=True,
                       cwd=self.base, timeout=120, **self._user)

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of a database of this cluster."""
        return f"postgresql+asyncpg://postgres@/{database}?host={self.socket_dir}"

    async def admin(self, sql: str) -> None:
        """Run one statement on the ``postgres`` database (CREATE / DROP DATABASE)."""
        import asyncpg

        conn = await asyncpg.connect(host=str(self.socket_dir), user="postgres", database="postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def new_database(self) -> str:
        """A fresh, migrated database (a copy of the template, migrated on first use); returns its name."""
        if not self.template_ready:
            await self.admin(f"CREATE DATABASE {TEMPLATE}")
            template = await Database.open(self.url(TEMPLATE))
            await template.close()
            self.template_ready = True
        name = f"modbot_test_{os.getpid()}_{next(_names)}"
        await self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return name

    async def drop_database(self, name: str) -> None:
        await self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL tests need {reason}"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message} ({REQUIRE_ENV}=1)", pytrace=False)
    pytest.skip(f"{message}; .ci/run installs it (set {REQUIRE_ENV}=1 to fail instead of skipping)")


def shared_server(config: pytest.Config) -> PgServer:
    """The session's cluster, started on first use and stopped when the session ends; skips (or fails) when
    PostgreSQL or asyncpg is missing."""
    server = config.stash.get(_SERVER_KEY, None)
    if server is None:
        try:
            import asyncpg  # noqa: F401
        except ImportError:
            server = "the asyncpg driver (pip install -e '.[test]')"
        else:
            bin_dir = find_bin_dir()
            if bin_dir is None:
                server = "a PostgreSQL server (Debian: apt-get install postgresql)"
            else:
                server = PgServer(bin_dir)
                config.add_cleanup(server.stop)
                server.start()
        config.stash[_SERVER_KEY] = server
    if isinstance(server, str):
        _unavailable(server)
        raise AssertionError("unreachable")
    return server


@asynccontextmanager
async def database_for(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An opened, migrated database of ``engine`` (``sqlite``: a file in ``tmp_path``), closed (and on PostgreSQL
    dropped) afterwards."""
    if engine == "sqlite":
        database = await Database.open(tmp_path / "test.sqlite3")
        try:
            yield database
        finally:
            await database.close()
        return
    server = shared_server(request.config)
    name = await server.new_database()
    database = await Database.open(server.url(name))
    try:
        yield database
    finally:
        await database.close()
        await server.drop_database(name)
