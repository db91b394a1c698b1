"""A real PostgreSQL server for the test run: started once (initdb and pg_ctl in a
temporary folder, on a Unix socket, no TCP), a template database migrated once, and a
fresh database per test cloned from it.

initdb and pg_ctl refuse to run as root, which CI is: as root they run as the
`postgres` user (runuser). Missing binaries fail the tests that need them with the
reason — never a silent skip in CI. `TPM_TEST_POSTGRES=skip` skips them on purpose on a
machine without PostgreSQL (each test then says why)."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PORT = 54320 + os.getpid() % 600  # one server per test process (xdist workers too)
TEMPLATE = "tpm_template"
_names = itertools.count(1)


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


@dataclass
class Server:
    """A running server: its socket folder and port, and how to reach a database."""

    socket_dir: Path
    port: int
    bin_dir: Path
    as_user: list[str]
    # PostgreSQL 15's default WAL_LOG strategy writes the whole template through the
    # WAL: a file copy clones it in about a third of the time (fsync is off anyway).
    strategy: str = ""

    def url(self, database: str, user: str = "tpm") -> str:
        """A SQLAlchemy URL for one database (psycopg 3, over the Unix socket)."""
        return f"postgresql+psycopg://{user}@/{database}?host={self.socket_dir}&port={self.port}"

    def tcp_url(self, database: str, user: str = "tpm") -> str:
        """A URL over TCP on the loopback address, as a user types it (only for a
        server started with `tcp=True`)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser (tpm); returns what psql printed."""
        done = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                "tpm",
                "-d",
                database,
                "-qAtc",
                sql,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def fresh_database(self, template: str = TEMPLATE) -> str:
        """A new database, a copy of the migrated template (or of `template`); returns
        its name."""
        import psycopg  # the test extras' driver; connecting beats starting psql

        name = f"t{os.getpid()}_{next(_names)}"
        with psycopg.connect(
            host=str(self.socket_dir), port=self.port, user="tpm", dbname="postgres"
        ) as connection:
            connection.autocommit = True  # CREATE DATABASE runs outside a transaction
            connection.execute(f"CREATE DATABASE {name} TEMPLATE {template}{self.strategy}")
        return name

    def start(self) -> None:
        """Start the server again after `stop` (on its socket, as it first started)."""
        options = f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' -c fsync=off"
        subprocess.run(
            [
                *self.as_user,
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.socket_dir / "data"),
                "-o",
                options,
                "-l",
                str(self.socket_dir / "log"),
                "-w",
                "-t",
                "30",
                "start",
            ],
            capture_output=True,
            check=True,
        )

    def ensure_running(self) -> None:
        """Start the server again if a test stopped it (a test that stops it calls this
        when it ends, so the tests after it never find the run's server down)."""
        done = subprocess.run(
            [
                *self.as_user,
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.socket_dir / "data"),
                "status",
            ],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            self.start()

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` as an administrator would; `immediate` when the data
        is thrown away (no shutdown checkpoint)."""
        subprocess.run(
            [
                *self.as_user,
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.socket_dir / "data"),
                "-m",
                mode,
                "-w",
                "stop",
            ],
            capture_output=True,
            check=False,
        )


def start_server(tcp: bool = False) -> Server:
    """initdb and start a server in a new temporary folder (as `postgres` when root);
    on its Unix socket only, or with `tcp` on 127.0.0.1 too (what a benchmark of a
    loopback server wants)."""
    if os.environ.get("TPM_TEST_POSTGRES", "").lower() == "skip":
        pytest.skip("TPM_TEST_POSTGRES=skip: PostgreSQL tests skipped on purpose")
    bin_dir = _binaries()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        pytest.fail(
            "PostgreSQL is not installed (no initdb/pg_ctl): install it (Debian: apt-get "
            "install postgresql), as .ci/run does, or set TPM_TEST_POSTGRES=skip"
        )
    folder = Path(tempfile.mkdtemp(prefix="tpm-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "tpm",
            "-E",
            "UTF8",
            "--locale",
            "C",
        ],
        capture_output=True,
        check=True,
    )
    listen = "127.0.0.1" if tcp else ""
    options = f"-k {folder} -p {PORT} -c listen_addresses='{listen}' -c fsync=off"
    started = subprocess.run(
        [
            *as_user,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "-t",
            "30",
            "start",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
        pytest.fail(f"PostgreSQL did not start: {started.stderr}{started.stdout}{log[-2000:]}")
    server = Server(folder, PORT, bin_dir, as_user)
    if int(server.psql("SHOW server_version_num")) >= 150000:
        server.strategy = " STRATEGY FILE_COPY"
    server.psql(f"CREATE DATABASE {TEMPLATE}")
    from tpm_tui.config import Location
    from tpm_tui.db import open_database

    open_database(Location(server.url(TEMPLATE), None, "test")).close()  # migrated once
    return server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """The test run's PostgreSQL server."""
    server = start_server()
    yield server
    server.stop("immediate")
    shutil.rmtree(server.socket_dir, ignore_errors=True)
