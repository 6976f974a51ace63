"""Migration 0013 on a database whose answers have tool steps: the steps' strings are searchable
(not their keys), kept in step as steps change, and a downgrade takes the index away."""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from core.ids import new_id
from core.migrate import MIGRATIONS, upgrade
from tests.core.test_migrate_0003 import _engine, _insert_conversation

STEP = {"id": "call_1", "name": "srv.record", "arguments": '{"note": "basalt"}', "round": 0}


def _answer_with_steps(connection: sa.Connection, steps: list[dict[str, object]] | None) -> str:
    conversation_id = _insert_conversation(connection, "Rocks")
    message_id = new_id()
    connection.execute(
        sa.text(
            "INSERT INTO message (id, conversation_id, role, content, status, attempt, tool_steps, "
            "created_at, updated_at) "
            "VALUES (:id, :cid, 'assistant', 'An answer', 'complete', 1, :steps, :now, :now)"
        ),
        {
            "id": message_id,
            "cid": conversation_id,
            "steps": None if steps is None else json.dumps(steps),
            "now": datetime.now(UTC),
        },
    )
    return message_id


def _found_by_steps(connection: sa.Connection, word: str) -> list[str]:
    if connection.dialect.name == "sqlite":
        query = (
            "SELECT m.id FROM message_steps_fts JOIN message m ON m.rowid = message_steps_fts.rowid "
            "WHERE message_steps_fts MATCH :word"
        )
    else:
        query = (
            "SELECT id FROM message WHERE to_tsvector('simple', tool_steps) @@ to_tsquery('simple', :word)"
        )
    return sorted(connection.execute(sa.text(query), {"word": word}).scalars())


def test_steps_there_before_are_found_and_changes_are_followed(empty_database: str) -> None:
    upgrade(empty_database, "0012")
    engine = _engine(empty_database)
    with engine.begin() as connection:
        before = _answer_with_steps(connection, [STEP | {"output": "recorded: basalt"}])
        _answer_with_steps(connection, None)
    upgrade(empty_database)
    with engine.begin() as connection:
        assert _found_by_steps(connection, "basalt") == [before]
        assert _found_by_steps(connection, "round") == []  # keys are not words of the steps
        after = _answer_with_steps(connection, [STEP | {"error": "granite jammed"}])
        assert _found_by_steps(connection, "granite") == [after]
        connection.execute(
            sa.text("UPDATE message SET tool_steps = :steps WHERE id = :id"),
            {"steps": json.dumps([STEP | {"output": "obsidian"}]), "id": after},
        )
        assert _found_by_steps(connection, "granite") == []
        assert _found_by_steps(connection, "obsidian") == [after]
        connection.execute(sa.text("DELETE FROM message WHERE id = :id"), {"id": before})
        assert _found_by_steps(connection, "basalt") == [after]  # its arguments
        if connection.dialect.name == "sqlite":
            connection.execute(
                sa.text("INSERT INTO message_steps_fts(message_steps_fts) VALUES ('integrity-check')")
            )
    engine.dispose()


def test_downgrade_to_0012_removes_the_steps_index(empty_database: str) -> None:
    upgrade(empty_database)
    engine = _engine(empty_database)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        _answer_with_steps(connection, [STEP])
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        assert not [name for name in inspector.get_table_names() if "steps_fts" in name]
        assert "message_steps_search" not in {i["name"] for i in inspector.get_indexes("message")}
    engine.dispose()
    upgrade(empty_database)  # and up again
