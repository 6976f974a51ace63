import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from core.fts import include_object
from core.migrate import SchemaNotReady, SchemaState, ensure_schema, schema_state, sync_url, upgrade
from tests.support.postgres import temporary_database
from tests.support.stack import MakeStack


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with temporary_database() as url:
        yield url


def test_migrations_build_exactly_the_models(empty_database: str) -> None:
    upgrade(empty_database)
    engine = sa.create_engine(sync_url(empty_database))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []
    assert schema_state(empty_database) == SchemaState.current


def test_upgrade_twice_is_harmless(empty_database: str) -> None:
    upgrade(empty_database)
    upgrade(empty_database)
    assert schema_state(empty_database) == SchemaState.current


def test_empty_sqlite_is_migrated_at_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert schema_state(url) == SchemaState.empty
    ensure_schema(url)
    assert schema_state(url) == SchemaState.current


def test_empty_postgres_is_left_to_relaychat_migrate() -> None:
    with temporary_database() as url:
        with pytest.raises(SchemaNotReady, match="relaychat migrate"):
            ensure_schema(url)
        assert schema_state(url) == SchemaState.empty


def test_schema_behind_stops_api_and_worker_naming_relaychat_migrate(
    make_stack: MakeStack, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    SQLModel.metadata.create_all(engine)  # tables, but no migration history: an older layout
    engine.dispose()
    assert schema_state(url) == SchemaState.behind

    stack = make_stack(database_url=url)
    with pytest.raises(RuntimeError, match="process exited") as refused:
        stack.start_api()
    assert "relaychat migrate" in str(refused.value)
    with pytest.raises(RuntimeError, match="process exited") as refused:
        stack.start_worker()
    assert "relaychat migrate" in str(refused.value)


def test_api_and_worker_starting_together_on_an_empty_sqlite_both_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    script = f"from core.migrate import ensure_schema; ensure_schema({url!r})"
    starts = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE) for _ in range(4)]
    errors = [start.communicate(timeout=60)[1].decode() for start in starts]
    assert [start.returncode for start in starts] == [0, 0, 0, 0], errors
    assert schema_state(url) == SchemaState.current
