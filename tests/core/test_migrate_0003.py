"""Migration 0003 on a database that already has conversations: title sources, and search indexes
built from what is there and kept in step afterwards."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from core.db import configure_sqlite
from core.ids import new_id
from core.migrate import MIGRATIONS, sync_url, upgrade

LONG_QUESTION = "Explain the difference between a process and a thread in an operating system kernel please"


def _engine(url: str) -> sa.Engine:
    """Configured as the app's (foreign keys on SQLite: deleting a conversation deletes its messages)."""
    engine = sa.create_engine(sync_url(url), poolclass=sa.NullPool)
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    return engine


def _insert_conversation(connection: sa.Connection, title: str, *questions: str) -> str:
    now = datetime.now(UTC)
    conversation_id = new_id()
    connection.execute(
        sa.text(
            "INSERT INTO conversation (id, title, system_prompt, model, created_at, updated_at) "
            "VALUES (:id, :title, '', NULL, :now, :now)"
        ),
        {"id": conversation_id, "title": title, "now": now},
    )
    parent = None
    for question in questions:
        for role, content in (("user", question), ("assistant", f"An answer about {question}")):
            message_id = new_id()
            connection.execute(
                sa.text(
                    "INSERT INTO message (id, conversation_id, parent_id, role, content, status, attempt, "
                    "created_at, updated_at) "
                    "VALUES (:id, :cid, :parent, :role, :content, 'complete', 1, :now, :now)"
                ),
                {
                    "id": message_id,
                    "cid": conversation_id,
                    "parent": parent,
                    "role": role,
                    "content": content,
                    "now": now,
                },
            )
            parent = message_id
    return conversation_id


def _search_messages(connection: sa.Connection, word: str) -> list[str]:
    if connection.dialect.name == "sqlite":
        query = (
            "SELECT m.content FROM message_fts JOIN message m ON m.rowid = message_fts.rowid "
            "WHERE message_fts MATCH :word"
        )
    else:
        query = (
            "SELECT content FROM message WHERE to_tsvector('simple', content) @@ to_tsquery('simple', :word)"
        )
    return sorted(connection.execute(sa.text(query), {"word": word}).scalars())


def _search_titles(connection: sa.Connection, word: str) -> list[str]:
    if connection.dialect.name == "sqlite":
        query = (
            "SELECT c.title FROM conversation_fts JOIN conversation c ON c.rowid = conversation_fts.rowid "
            "WHERE conversation_fts MATCH :word"
        )
    else:
        query = (
            "SELECT title FROM conversation WHERE to_tsvector('simple', title) @@ to_tsquery('simple', :word)"
        )
    return sorted(connection.execute(sa.text(query), {"word": word}).scalars())


def test_existing_titles_get_a_source_and_untitled_chats_a_fallback(empty_database: str) -> None:
    upgrade(empty_database, "0001")
    engine = _engine(empty_database)
    with engine.begin() as connection:
        typed = _insert_conversation(connection, "Trip to Lisbon", "Where should we eat tonight?")
        old_web = _insert_conversation(
            connection, "Where should we sleep?", "Where should we sleep?\nDetails"
        )
        old_web_cut = _insert_conversation(connection, LONG_QUESTION[:59] + "…", LONG_QUESTION)
        untitled = _insert_conversation(connection, "New chat", "  How do   tides work?  ")
        empty = _insert_conversation(connection, "New chat")
    upgrade(empty_database)

    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, title, title_source FROM conversation")).all()
    engine.dispose()
    found = {row[0]: (row[1], row[2]) for row in rows}
    assert found[typed] == ("Trip to Lisbon", "user")
    assert found[old_web] == ("Where should we sleep?", "fallback")
    assert found[old_web_cut] == (LONG_QUESTION[:59] + "…", "fallback")
    assert found[untitled] == ("How do tides work?", "fallback")
    assert found[empty] == ("New chat", "default")


def test_existing_messages_and_titles_are_searchable_and_stay_in_step(empty_database: str) -> None:
    upgrade(empty_database, "0001")
    engine = _engine(empty_database)
    with engine.begin() as connection:
        kept = _insert_conversation(connection, "Volcanoes of Iceland", "tell me about basalt columns")
        gone = _insert_conversation(connection, "Basalt quarry", "where is the basalt quarry")
    upgrade(empty_database)

    with engine.begin() as connection:
        assert _search_messages(connection, "basalt") == [
            "An answer about tell me about basalt columns",
            "An answer about where is the basalt quarry",
            "tell me about basalt columns",
            "where is the basalt quarry",
        ]
        assert _search_titles(connection, "volcanoes") == ["Volcanoes of Iceland"]
        # Edits, new rows and deletions reach the index (triggers on SQLite, the expression on Postgres).
        connection.execute(
            sa.text("UPDATE message SET content = 'granite instead' WHERE content = :c"),
            {"c": "tell me about basalt columns"},
        )
        connection.execute(sa.text("UPDATE conversation SET title = 'Granite' WHERE id = :id"), {"id": kept})
        _insert_conversation(connection, "Obsidian", "obsidian knives")
        connection.execute(sa.text("DELETE FROM conversation WHERE id = :id"), {"id": gone})
    with engine.connect() as connection:
        assert _search_messages(connection, "basalt") == ["An answer about tell me about basalt columns"]
        assert _search_messages(connection, "granite") == ["granite instead"]
        assert _search_messages(connection, "obsidian") == [
            "An answer about obsidian knives",
            "obsidian knives",
        ]
        assert _search_titles(connection, "volcanoes") == []
        assert _search_titles(connection, "granite") == ["Granite"]
        if connection.dialect.name == "sqlite":
            # The index agrees with its tables, row for row.
            connection.execute(sa.text("INSERT INTO message_fts(message_fts) VALUES ('integrity-check')"))
            connection.execute(
                sa.text("INSERT INTO conversation_fts(conversation_fts) VALUES ('integrity-check')")
            )
    engine.dispose()


def test_downgrade_to_0002_removes_what_0003_added(empty_database: str) -> None:
    upgrade(empty_database)
    engine = _engine(empty_database)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        _insert_conversation(connection, "Kept", "a question")
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        assert "title_source" not in {c["name"] for c in inspector.get_columns("conversation")}
        added = {"cost_usd", "first_token_at", "finished_at"}
        assert not added & {c["name"] for c in inspector.get_columns("message")}
        assert not [name for name in inspector.get_table_names() if "fts" in name]
        assert connection.execute(sa.text("SELECT count(*) FROM message")).scalar_one() == 2
    engine.dispose()
    upgrade(empty_database)  # and up again
