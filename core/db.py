"""The database engine and the three kinds of transaction: writing, read-only, and one statement."""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

import core.models  # noqa: F401  (registers the tables on SQLModel.metadata)

Sessionmaker = async_sessionmaker[AsyncSession]
READ_ONLY_OPTION = "relaychat_read_only"
ONE_STATEMENT_OPTION = "relaychat_one_statement"


def async_url(url: str) -> str:
    """Accept plain `sqlite:///` and `postgresql://` URLs and pick the async driver."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}.get(parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False) if driver else url


def make_engine(url: str) -> AsyncEngine:
    """The one engine of a process. SQLite gets WAL, foreign keys and immediate write locks.

    Its errors never show a statement's parameters (`hide_parameters`): they are what people
    wrote, and an error's text goes into a log line."""
    url = async_url(url)
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return create_async_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
        )

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, pool_timeout=60, hide_parameters=True
    )
    configure_sqlite(engine.sync_engine)
    return engine


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and write locks taken when a transaction begins."""

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver, so that `begin` below decides the lock.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # API and workers write from several processes. A deferred transaction that reads and then
        # writes fails at once with SQLITE_BUSY when another process wrote in between; an
        # immediate one waits its turn (busy_timeout) instead. A read-only one needs no lock at
        # all in WAL mode, so it neither waits for writers nor makes them wait.
        options = connection.get_execution_options()
        if options.get(ONE_STATEMENT_OPTION):
            return  # no BEGIN: the statement is a transaction of its own (the driver autocommits)
        connection.exec_driver_sql("BEGIN" if options.get(READ_ONLY_OPTION) else "BEGIN IMMEDIATE")


def make_sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def read_only(session: AsyncSession) -> None:
    """Declare the session's transaction read-only: on SQLite it then takes no write lock."""
    await session.connection(execution_options={READ_ONLY_OPTION: True})


async def one_statement(session: AsyncSession) -> None:
    """Declare the session's transaction a single write statement: on SQLite it then runs as a
    transaction of its own, holding the write lock while it executes, not also while the event
    loop comes round to the commit (under load, milliseconds in which every other writer waited).
    """
    await session.connection(execution_options={ONE_STATEMENT_OPTION: True})
