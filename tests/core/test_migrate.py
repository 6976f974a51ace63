"""The schema's migrations on SQLite and Postgres: they build the models, upgrade data, and downgrade."""

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from core.fts import include_object
from core.ids import new_id
from core.migrate import (
    SchemaNotReady,
    SchemaState,
    downgrade,
    ensure_schema,
    schema_state,
    sync_url,
    upgrade,
)
from tests.support.postgres import temporary_database


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


def test_api_and_worker_starting_together_on_an_empty_sqlite_both_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    script = f"from core.migrate import ensure_schema; ensure_schema({url!r})"
    starts = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE) for _ in range(4)]
    errors = [start.communicate(timeout=60)[1].decode() for start in starts]
    assert [start.returncode for start in starts] == [0, 0, 0, 0], errors
    assert schema_state(url) == SchemaState.current


# 0001 → 0002: branches, pins, max tokens, recorded prompts


def insert_0001_rows(url: str) -> dict[str, list[str]]:
    """Conversations as 0001 stored them: linear, each message's parent the one before it."""
    engine = sa.create_engine(sync_url(url))
    conversations: dict[str, list[str]] = {"three turns": [], "one turn": [], "empty": []}
    turns = {"three turns": 3, "one turn": 1, "empty": 0}
    now = "2026-11-01 12:00:00"
    with engine.begin() as connection:
        for title, count in turns.items():
            cid = new_id()
            connection.execute(
                sa.text(
                    "INSERT INTO conversation (id, title, system_prompt, model, created_at, updated_at) "
                    "VALUES (:id, :title, '', NULL, :now, :now)"
                ),
                {"id": cid, "title": title, "now": now},
            )
            parent = None
            for turn in range(count * 2):
                mid = new_id()
                role = "user" if turn % 2 == 0 else "assistant"
                connection.execute(
                    sa.text(
                        "INSERT INTO message (id, conversation_id, parent_id, role, content, status, "
                        "attempt, created_at, updated_at) VALUES (:id, :cid, :parent, :role, :content, "
                        "'complete', :attempt, :now, :now)"
                    ),
                    {
                        "id": mid,
                        "cid": cid,
                        "parent": parent,
                        "role": role,
                        "content": f"{title} {turn}",
                        "attempt": turn % 2,
                        "now": now,
                    },
                )
                conversations[title].append(mid)
                parent = mid
            conversations[title].insert(0, cid)
    engine.dispose()
    return conversations


def test_an_0001_database_upgrades_to_0002_with_each_conversation_one_branch_ending_at_its_newest_message(
    empty_database: str,
) -> None:
    upgrade(empty_database, "0001")
    made = insert_0001_rows(empty_database)
    upgrade(empty_database)
    assert schema_state(empty_database) == SchemaState.current

    engine = sa.create_engine(sync_url(empty_database))
    with engine.connect() as connection:
        for cid, *mids in made.values():
            leaf, max_tokens = connection.execute(
                sa.text("SELECT selected_leaf_id, max_tokens FROM conversation WHERE id = :id"), {"id": cid}
            ).one()
            assert leaf == (mids[-1] if mids else None)
            assert max_tokens is None
            rows = connection.execute(
                sa.text("SELECT id, parent_id, pinned, included_ids FROM message WHERE conversation_id = :c"),
                {"c": cid},
            ).all()
            assert sorted(rows) == [(m, mids[i - 1] if i else None, False, None) for i, m in enumerate(mids)]
    engine.dispose()


def test_the_active_answer_index_survives_the_upgrade(empty_database: str) -> None:
    upgrade(empty_database, "0001")
    cid, *_ = insert_0001_rows(empty_database)["one turn"]
    upgrade(empty_database)
    engine = sa.create_engine(sync_url(empty_database))
    insert = sa.text(
        "INSERT INTO message (id, conversation_id, role, content, status, attempt, created_at, updated_at) "
        "VALUES (:id, :cid, 'assistant', '', 'queued', 0, '2026-11-02', '2026-11-02')"
    )
    with engine.begin() as connection:
        connection.execute(insert, {"id": new_id(), "cid": cid})
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(insert, {"id": new_id(), "cid": cid})
    engine.dispose()


def test_downgrade_to_0001_keeps_every_message(empty_database: str) -> None:
    # On SQLite a table copy of `conversation` would cascade-delete the messages: 0002 must not make one.
    upgrade(empty_database, "0001")
    made = insert_0001_rows(empty_database)
    upgrade(empty_database)
    downgrade(empty_database, "0001")
    engine = sa.create_engine(sync_url(empty_database))
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT COUNT(*) FROM message")).scalar_one()
    engine.dispose()
    assert count == sum(len(ids) - 1 for ids in made.values())
    upgrade(empty_database)
    assert schema_state(empty_database) == SchemaState.current
