"""Team storage on a real PostgreSQL server: the URLs users write, libpq's own
conventions (a password file, PG* variables, sslmode), passwords never shown, and each
way a server refuses (down, wrong password, read-only role, a busy lock) as one line
naming the server."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from tests.conftest import run_tpm
from tests.postgres import Server
from tpm_tui.config import Location, redact_url, resolve_location, url_secrets
from tpm_tui.db import HEAD_REVISION, open_database
from tpm_tui.errors import DatabaseBusy, ReadOnlyWorkspace, ServerUnreachable, StorageError
from tpm_tui.postgres import WRITE_LOCK

PASSWORD = "s3cret-Pa55"
_roles = itertools.count(1)


# ---------------------------------------------------------------- URLs and labels


@pytest.mark.parametrize(
    "typed",
    [
        "postgresql://ana@db.internal/product",
        "postgres://ana@db.internal/product",
        "PostgreSQL://ana@db.internal/product",
        "postgresql+psycopg://ana@db.internal/product",
    ],
)
def test_postgres_urls_use_psycopg(typed: str) -> None:
    location = resolve_location(typed, {})
    assert location.path is None
    assert location.url == "postgresql+psycopg://ana@db.internal/product"


def test_other_drivers_are_left_as_written() -> None:
    url = "postgresql+psycopg2://ana@db.internal/product"
    assert resolve_location(url, {}).url == url


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("postgresql://ana:s3cret@db/p", "postgresql://ana:***@db/p"),
        ("postgresql://ana:s%40cr%2Fet@db:5433/p", "postgresql://ana:***@db:5433/p"),
        ("postgresql://ana:a/b@db/p", "postgresql://ana:***@db/p"),
        ("postgresql://ana@db/p?password=s3cret", "postgresql://ana@db/p?password=***"),
        (
            "postgresql://ana@/p?host=/run/pg&sslpassword=k3y&sslmode=require",
            "postgresql://ana@/p?host=/run/pg&sslpassword=***&sslmode=require",
        ),
        ("postgresql://ana@db/p", "postgresql://ana@db/p"),
        ("postgresql:///p", "postgresql:///p"),
        # Named as the user wrote it, not as tpm's driver URL (psycopg is implied).
        ("postgres://ana@db/p", "postgresql://ana@db/p"),
        ("postgresql+psycopg://ana@db/p", "postgresql://ana@db/p"),
        ("postgresql+psycopg2://ana:s3cret@db/p", "postgresql+psycopg2://ana:***@db/p"),
    ],
)
def test_labels_never_show_a_password(url: str, label: str) -> None:
    location = resolve_location(url, {})
    assert location.label == label
    for secret in ("s3cret", "s@cr/et", "s%40cr%2Fet", "a/b", "k3y"):
        assert secret not in location.label


def test_secrets_are_scrubbed_from_any_text() -> None:
    location = Location("postgresql+psycopg://ana:p%40ss@db/p?password=x+y", None, "test")
    assert set(url_secrets(location.url)) >= {"p%40ss", "p@ss", "x+y", "x y"}
    assert location.redact("failed for p@ss and x y") == "failed for *** and ***"
    assert redact_url("not a url at all") == "not a url at all"


# ---------------------------------------------------------------- a real server


def _database(server: Server) -> str:
    return server.fresh_database()


def _role(server: Server, database: str, *, write: bool, password: str | None = None) -> str:
    """A new login role on `database`: with write rights or SELECT only; a password
    makes the server ask for it (a pg_hba line of its own, before the trust lines)."""
    name = f"r{os.getpid()}_{next(_roles)}"
    secret = f" PASSWORD '{password}'" if password else ""
    server.psql(f"CREATE ROLE {name} LOGIN{secret}")
    rights = "SELECT, INSERT, UPDATE, DELETE" if write else "SELECT"
    server.psql(
        f"GRANT {rights} ON ALL TABLES IN SCHEMA public TO {name};"
        + (f" GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {name};" if write else ""),
        database,
    )
    if password:
        hba = server.socket_dir / "data" / "pg_hba.conf"
        hba.write_text(f"local all {name} scram-sha-256\n" + hba.read_text())
        server.psql("SELECT pg_reload_conf()")
    return name


def _one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1 and stderr.startswith("tpm: "), stderr
    assert "Traceback" not in stderr
    return stderr


def test_a_password_from_a_pgpass_file(pg_server: Server, tmp_path: Path) -> None:
    """libpq reads PGPASSFILE itself: the URL carries no password, the login works;
    without the file the server's refusal is one line, and a wrong password in the URL
    is never repeated."""
    database = _database(pg_server)
    role = _role(pg_server, database, write=True, password=PASSWORD)
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"{pg_server.socket_dir}:{pg_server.port}:{database}:{role}:{PASSWORD}\n")
    passfile.chmod(0o600)
    url = f"postgresql://{role}@/{database}?host={pg_server.socket_dir}&port={pg_server.port}"

    done = run_tpm("add", "story", "Via pgpass", env={"TPM_DB": url, "PGPASSFILE": str(passfile)})
    assert done.returncode == 0, done.stderr
    assert pg_server.psql("SELECT title FROM work_item", database) == "Via pgpass\n"

    refused = run_tpm("list", env={"TPM_DB": url, "PGPASSFILE": str(tmp_path / "none")})
    assert refused.returncode == 1
    line = _one_line(refused.stderr)
    assert "refused the login" in line and database in line

    wrong = url.replace(f"{role}@", f"{role}:not-{PASSWORD}@")
    refused = run_tpm("list", env={"TPM_DB": wrong, "PGPASSFILE": str(tmp_path / "none")})
    assert refused.returncode == 1
    line = _one_line(refused.stderr)
    assert PASSWORD not in line and "not-" not in line and "refused the login" in line


def test_pg_variables_fill_what_the_url_leaves_out(pg_server: Server) -> None:
    database = _database(pg_server)
    env = {
        "TPM_DB": f"postgres:///{database}",
        "PGHOST": str(pg_server.socket_dir),
        "PGPORT": str(pg_server.port),
        "PGUSER": "tpm",
    }
    done = run_tpm("add", "story", "Via PGHOST", env=env)
    assert done.returncode == 0, done.stderr


def test_sslmode_in_the_url_reaches_the_driver(pg_server: Server) -> None:
    """libpq gets the URL's sslmode (on a Unix socket it has no effect, so the proof is
    the connection's own parameters, and libpq's refusal of a value it does not know)."""
    database = _database(pg_server)
    url = pg_server.url(database)
    db = open_database(Location(url + "&sslmode=require", None, "test"))
    with db.engine.connect() as conn:
        assert "sslmode=require" in conn.connection.driver_connection.info.dsn  # type: ignore[union-attr]
    db.close()
    with pytest.raises(StorageError, match="sslmode") as refused:
        open_database(Location(url + "&sslmode=bogus", None, "test"))
    assert str(refused.value).count("\n") == 0


def test_a_server_that_cannot_be_reached_is_one_line(pg_server: Server, tmp_path: Path) -> None:
    """No server on that socket, nothing on that loopback port: exit 1, one line naming
    the server, never its password, never a traceback."""
    for url in (
        f"postgresql://ana:{PASSWORD}@/product?host={tmp_path}&port=5999",
        f"postgresql://ana:{PASSWORD}@127.0.0.1:9/product",
    ):
        done = run_tpm("list", env={"TPM_DB": url})
        assert done.returncode == 1
        line = _one_line(done.stderr)
        assert "cannot reach the server" in line and "product" in line, line
        assert line.startswith("tpm: postgresql://ana:***@"), line  # the URL as typed
        assert PASSWORD not in line
        with pytest.raises(ServerUnreachable):
            open_database(resolve_location(url, {}))


def test_a_read_only_role_reads_and_is_told_it_cannot_write(pg_server: Server) -> None:
    database = _database(pg_server)
    assert (
        run_tpm("add", "story", "Shared", env={"TPM_DB": pg_server.url(database)}).returncode == 0
    )
    role = _role(pg_server, database, write=False)
    env = {"TPM_DB": pg_server.url(database, user=role)}
    listed = run_tpm("list", env=env)
    assert listed.returncode == 0 and "Shared" in listed.stdout, listed.stderr
    for args in (("add", "story", "Mine"), ("log", "30m", "meetings"), ("move", "1", "done")):
        refused = run_tpm(*args, env=env)
        assert refused.returncode == 1, refused.stdout
        assert "read-only" in _one_line(refused.stderr)
    assert pg_server.psql("SELECT count(*) FROM work_item", database) == "1\n"
    db = open_database(Location(pg_server.url(database, user=role), None, "test"))
    with pytest.raises(ReadOnlyWorkspace), db.write() as ex:
        ex.driver_rows("DELETE FROM milestone")
    db.close()


@pytest.mark.parametrize(
    "hold",
    [
        "LOCK TABLE work_item IN EXCLUSIVE MODE",  # another program's lock on a table
        f"SELECT pg_advisory_xact_lock({WRITE_LOCK})",  # another tpm in mid-write
    ],
)
def test_an_impatient_write_gives_up_on_a_held_lock(pg_server: Server, hold: str) -> None:
    """Another program holds a lock the write needs: the TUI's 250 ms write raises
    DatabaseBusy in about that time (lock_timeout), and nothing is written."""
    import time

    import psycopg

    from tpm_tui.clock import Clock
    from tpm_tui.services import backlog

    database = _database(pg_server)
    db = open_database(Location(pg_server.url(database), None, "test"))
    clock = Clock()
    item = backlog.create_item(db, clock, "story", "Held")
    other = psycopg.connect(
        host=str(pg_server.socket_dir), port=pg_server.port, user="tpm", dbname=database
    )
    try:
        # held until the rollback below, or 15 s at most should the write never give up
        other.execute("SET idle_in_transaction_session_timeout = 15000")
        other.execute(hold)
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="try again"):
            backlog.move_item(db.impatient(250), clock, item.id, "done")
        assert time.monotonic() - started < 5
    finally:
        other.rollback()
        other.close()
    assert backlog.get_item(db, item.id).status == "backlog"
    db.close()


@pytest.mark.parametrize(
    ("state", "error", "words"),
    [
        ("40001", DatabaseBusy, "crossed another"),
        ("40P01", DatabaseBusy, "crossed another"),
        ("55P03", DatabaseBusy, "held the lock"),
        ("42501", ReadOnlyWorkspace, "read-only"),
        ("57P01", ServerUnreachable, "cannot reach the server"),
    ],
)
def test_each_server_refusal_is_one_clear_line(
    pg_server: Server, state: str, error: type[StorageError], words: str
) -> None:
    """The server's own errors (raised with their SQLSTATE), as the driver delivers
    them, each become one line of the right kind."""
    db = open_database(Location(pg_server.url(_database(pg_server)), None, "test"))
    with pytest.raises(error) as raised, db.write() as ex:
        ex.driver_rows(f"DO $$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = '{state}'; END $$")
    assert words in str(raised.value) and "\n" not in str(raised.value)
    db.close()


def test_one_running_timer_per_person_is_the_databases_rule(pg_server: Server) -> None:
    """Two running timers of one person cannot be stored, whoever writes them (the
    refusal is one clear line); two people's can."""
    database = _database(pg_server)
    db = open_database(Location(pg_server.url(database), None, "test"))
    insert = (
        "INSERT INTO time_entry (category, started_at, note, created_at, person)"
        " VALUES ('meetings', now(), '', now(), %s)"
    )
    with db.write() as ex:
        ex.driver_rows(insert, ("ana",))
        ex.driver_rows(insert, ("ben",))
    with pytest.raises(StorageError, match="a timer of yours") as raised, db.write() as ex:
        ex.driver_rows(insert, ("ana",))
    assert "\n" not in str(raised.value)
    assert (
        pg_server.psql("SELECT count(*) FROM time_entry WHERE ended_at IS NULL", database) == "2\n"
    )
    db.close()


def test_concurrent_starts_leave_one_timer_per_person(pg_server: Server) -> None:
    """`tpm start` from four shells at once: as one person, one timer runs after them
    all (each shell succeeded, in turn, or said in one line why not); as two people,
    each has theirs."""
    import subprocess
    import sys

    database = _database(pg_server)
    base = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    base["TPM_DB"] = pg_server.url(database)

    def start(user: str, category: str) -> subprocess.Popen[str]:
        env = {**base, "TPM_USER": user}
        return subprocess.Popen(
            [sys.executable, "-m", "tpm_tui", "start", category],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    runs = [start("ana", "meetings"), start("ana", "tooling"), start("ben", "meetings")]
    runs.append(start("ana", "deliverables"))
    for run in runs:
        _out, err = run.communicate(timeout=120)
        assert run.returncode == 0 or (
            run.returncode == 1 and err.count("\n") == 1 and "a timer of yours" in err
        ), err
        assert "Traceback" not in err
    running = pg_server.psql(
        "SELECT person, count(*) FROM time_entry WHERE ended_at IS NULL GROUP BY person"
        " ORDER BY person",
        database,
    )
    assert running == "ana|1\nben|1\n"


def test_doctor_on_a_server(pg_server: Server) -> None:
    """`tpm doctor`: the server's version, the revision, the role's rights and the rows
    of each table; a read-only role is told so; no password anywhere."""
    database = _database(pg_server)
    writer = _role(pg_server, database, write=True, password=PASSWORD)
    reader = _role(pg_server, database, write=False)
    assert (
        run_tpm("add", "story", "Counted", env={"TPM_DB": pg_server.url(database)}).returncode == 0
    )
    url = pg_server.url(database, user=f"{writer}:{PASSWORD}")
    done = run_tpm("doctor", env={"TPM_DB": url})
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert PASSWORD not in out + done.stderr
    assert "PostgreSQL 15" in out and f"as role {writer}" in out
    assert "revision 0007 (current)" in out.replace(HEAD_REVISION, "0007")
    assert f"{writer} may read and write every table" in out
    assert "work_item 1" in out and "board_column 5" in out and "time_entry 0" in out

    done = run_tpm("doctor", env={"TPM_DB": pg_server.url(database, user=reader)})
    assert done.returncode == 0 and "read-only" in done.stdout, done.stdout

    down = f"postgresql://{writer}:{PASSWORD}@/{database}?host={pg_server.socket_dir}&port=1"
    done = run_tpm("doctor", env={"TPM_DB": down})
    assert done.returncode == 1 and "cannot reach the server" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr


def test_two_writers_on_one_item_lose_no_update(pg_server: Server) -> None:
    """Two connections edit different fields of the same item at once, 40 times each:
    writes queue as they do on SQLite, so neither's change is overwritten by the
    other's read-then-save, and the item's version counts every save."""
    import threading

    from tpm_tui.clock import Clock
    from tpm_tui.services import backlog

    database = _database(pg_server)
    clock = Clock()
    first = open_database(Location(pg_server.url(database), None, "test"))
    second = open_database(Location(pg_server.url(database), None, "test"))
    item = backlog.create_item(first, clock, "story", "Shared")
    failures: list[BaseException] = []

    def edits(db: object, field: str) -> None:
        try:
            for i in range(1, 41):
                value = i if field == "points" else f"o{i}"
                backlog.edit_item(db, clock, item.id, **{field: value})  # type: ignore[arg-type]
        except BaseException as exc:
            failures.append(exc)

    threads = [
        threading.Thread(target=edits, args=(first, "points")),
        threading.Thread(target=edits, args=(second, "owner")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    held = pg_server.psql(
        f"SELECT points, owner, version FROM work_item WHERE id = {item.id}", database
    )
    assert held == "40|o40|80\n"
    first.close()
    second.close()
