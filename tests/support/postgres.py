"""A throwaway Postgres database on the machine's server, for running database tests there too;
a Postgres server of a test's own, on a host of its own."""

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from tests.support.netns import Host
from tests.support.processes import Process, wait_until

ADMIN_URL = os.environ.get("RELAYCHAT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def reachable() -> bool:
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


@contextmanager
def temporary_database() -> Iterator[str]:
    """A new, empty database; dropped afterwards. Skips (or fails, in CI) without a server."""
    if not reachable():
        if os.environ.get("RELAYCHAT_REQUIRE_POSTGRES"):
            pytest.fail(f"RELAYCHAT_REQUIRE_POSTGRES is set but no Postgres answers at {ADMIN_URL}")
        pytest.skip(f"no Postgres server at {ADMIN_URL}")
    name = f"relaychat_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PostgresServer:
    """A Postgres server of the test's own (`initdb`, then `postgres` as the postgres user) on
    port 5432 of `host`, with an empty database `relaychat`; stopped and deleted by `stop`."""

    def __init__(self, log_dir: Path, host: Host) -> None:
        bindir = Path(os.path.realpath(shutil.which("initdb") or "initdb")).parent
        self.data = Path(tempfile.mkdtemp(prefix="relaychat-pg-"))
        account = pwd.getpwnam("postgres")
        os.chown(self.data, account.pw_uid, account.pw_gid)
        as_postgres = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [
                *as_postgres,
                str(bindir / "initdb"),
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        with (self.data / "pg_hba.conf").open("a") as rules:
            rules.write("host all all 0.0.0.0/0 trust\n")  # every test host, no password: a test's own
        self._stop = [*as_postgres, str(bindir / "pg_ctl"), "-D", str(self.data), "stop", "-m", "immediate"]
        settings = {
            "listen_addresses": host.ip,
            "port": "5432",
            "unix_socket_directories": str(self.data),
            "fsync": "off",
            "max_connections": "300",
        }
        args = [*as_postgres, str(bindir / "postgres"), "-D", str(self.data)]
        args += [part for name, value in settings.items() for part in ("-c", f"{name}={value}")]
        self.process = Process(f"postgres-{host.namespace}", host.command(args), dict(os.environ), log_dir)
        admin = f"postgresql://postgres@{host.ip}:5432/postgres"

        def answers() -> bool:
            try:
                psycopg.connect(admin, connect_timeout=1).close()
            except psycopg.OperationalError:
                return False
            return True

        wait_until(answers, 30, "postgres", self.process)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("CREATE DATABASE relaychat")
        self.url = f"postgresql+psycopg://postgres@{host.ip}:5432/relaychat"

    def stop(self) -> None:
        subprocess.run(self._stop, check=False, capture_output=True)
        self.process.stop()
        shutil.rmtree(self.data, ignore_errors=True)
