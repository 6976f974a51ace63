"""The database schema: Alembic migrations, run in-process by `relaychat migrate` and at start-up."""

import asyncio
import logging
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from core.db import configure_sqlite

MIGRATIONS = Path(__file__).parent / "migrations"
logger = logging.getLogger(__name__)


class SchemaState(StrEnum):
    empty = "empty"
    behind = "behind"
    current = "current"
    unknown = "unknown"  # a revision this code does not know: a newer relaychat migrated it


class SchemaNotReady(RuntimeError):
    """The database is not at the schema this code expects; the message says what to run."""


def sync_url(url: str) -> str:
    parsed = make_url(url)
    driver = {"sqlite+aiosqlite": "sqlite", "postgresql": "postgresql+psycopg"}.get(parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False) if driver else url


def _engine(url: str) -> sa.Engine:
    url = sync_url(url)
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    if parsed.drivername.startswith("sqlite"):
        configure_sqlite(engine)
    return engine


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def schema_state(url: str) -> SchemaState:
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            tables = sa.inspect(connection).get_table_names()
    finally:
        engine.dispose()
    script = ScriptDirectory.from_config(_config())
    if current is None:
        return SchemaState.behind if "conversation" in tables else SchemaState.empty
    if current == script.get_current_head():
        return SchemaState.current
    known = {revision.revision for revision in script.walk_revisions()}
    return SchemaState.behind if current in known else SchemaState.unknown


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to the newest revision (what `relaychat migrate` does), or to `revision`."""
    engine = _engine(url)
    config = _config()
    try:
        # One transaction (BEGIN IMMEDIATE on SQLite): an API and a worker starting together on an
        # empty database take turns, and the second finds nothing left to do.
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def ensure_schema(url: str) -> None:
    """Start-up check of the API and the workers.

    An empty SQLite database (the default, a first start) is migrated on the spot; anything else
    that is not current stops the process with a message naming `relaychat migrate`.
    """
    state = schema_state(url)
    if state == SchemaState.current:
        return
    if state == SchemaState.empty and make_url(sync_url(url)).drivername.startswith("sqlite"):
        upgrade(url)
        return
    if state == SchemaState.unknown:
        raise SchemaNotReady("The database was migrated by a newer relaychat; upgrade this installation.")
    raise SchemaNotReady(f"The database schema is {state.value}: run `relaychat migrate` first.")


async def check_schema(url: str) -> None:
    """`ensure_schema` for an async start-up, saying plainly in the log why it refuses to start."""
    try:
        await asyncio.to_thread(ensure_schema, url)
    except SchemaNotReady as refusal:
        logger.error("%s", refusal)
        raise
