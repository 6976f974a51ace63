"""Title sources, answer cost and timing, full-text search.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

Existing data:
- `title_source`: "New chat" stays `default`, or becomes the fallback built from the first question
  when there is one (`fallback`); a title equal to what the web UI used to set (the first line of
  the first question, cut to 60 characters with "…") is `fallback` too, so a generated title may
  replace it; any other title was typed by someone: `user`, never replaced.
- `cost_usd`, `first_token_at`, `finished_at` stay empty for earlier answers: their prices and
  timing were not recorded.
- The search indexes are built from every existing message and title.

The SQL is written out here rather than imported, so this revision stays what it was.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_TITLE = "New chat"
OLD_WEB_TITLE_CHARS = 60
FALLBACK_CHARS = 60
BATCH = 500

SQLITE_FTS = [
    # External content: the index keeps no copy of the text, only rowids of the source tables.
    "CREATE VIRTUAL TABLE message_fts USING fts5(content, content='message', content_rowid='rowid', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    "CREATE VIRTUAL TABLE conversation_fts USING fts5(title, content='conversation', "
    "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    """CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
  INSERT INTO message_fts(rowid, content) VALUES (new.rowid, new.content);
END""",
    """CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
  INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
END""",
    # Only a changed text re-indexes: status updates and the like leave the index alone.
    """CREATE TRIGGER message_fts_update AFTER UPDATE OF content ON message BEGIN
  INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
  INSERT INTO message_fts(rowid, content) VALUES (new.rowid, new.content);
END""",
    """CREATE TRIGGER conversation_fts_insert AFTER INSERT ON conversation BEGIN
  INSERT INTO conversation_fts(rowid, title) VALUES (new.rowid, new.title);
END""",
    """CREATE TRIGGER conversation_fts_delete AFTER DELETE ON conversation BEGIN
  INSERT INTO conversation_fts(conversation_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
END""",
    """CREATE TRIGGER conversation_fts_update AFTER UPDATE OF title ON conversation BEGIN
  INSERT INTO conversation_fts(conversation_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
  INSERT INTO conversation_fts(rowid, title) VALUES (new.rowid, new.title);
END""",
    # Backfill: index everything already there.
    "INSERT INTO message_fts(message_fts) VALUES ('rebuild')",
    "INSERT INTO conversation_fts(conversation_fts) VALUES ('rebuild')",
]

POSTGRES_FTS = [
    "CREATE INDEX message_content_search ON message USING gin (to_tsvector('simple', content))",
    "CREATE INDEX conversation_title_search ON conversation USING gin (to_tsvector('simple', title))",
]


def _old_web_title(question: str) -> str:
    """What the web UI named a new chat before titles were generated."""
    line = question.strip().split("\n")[0]
    return line if len(line) <= OLD_WEB_TITLE_CHARS else line[: OLD_WEB_TITLE_CHARS - 1] + "…"


def _was_automatic(title: str, question: str) -> bool:
    automatic = _old_web_title(question)
    if title == automatic:
        return True
    # The web cut by UTF-16 units, Python by code points: past emoji the cut may differ a little.
    line = question.strip().split("\n")[0]
    return title.endswith("…") and len(title) <= OLD_WEB_TITLE_CHARS + 1 and line.startswith(title[:-1])


def _fallback(question: str) -> str:
    for line in question.splitlines():
        words = line.split()
        if words:
            text = " ".join(words)
            if len(text) <= FALLBACK_CHARS:
                return text
            cut = text[: FALLBACK_CHARS - 1]
            space = cut.rfind(" ")
            return (cut[:space] if space >= FALLBACK_CHARS // 2 else cut).rstrip(" .,;:!?-") + "…"
    return DEFAULT_TITLE


def _first_questions(connection: sa.Connection) -> dict[str, str]:
    firsts = connection.execute(
        sa.text("SELECT conversation_id, min(id) FROM message WHERE role = 'user' GROUP BY conversation_id")
    ).all()
    by_id = {message_id: conversation_id for conversation_id, message_id in firsts}
    questions: dict[str, str] = {}
    ids = list(by_id)
    for start in range(0, len(ids), BATCH):
        rows = connection.execute(
            sa.text("SELECT id, content FROM message WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": ids[start : start + BATCH]},
        ).all()
        questions.update({by_id[message_id]: content for message_id, content in rows})
    return questions


def _backfill_title_sources(connection: sa.Connection) -> None:
    questions = _first_questions(connection)
    updates: list[dict[str, str]] = []
    for conversation_id, title in connection.execute(sa.text("SELECT id, title FROM conversation")).all():
        question = questions.get(conversation_id)
        if title == DEFAULT_TITLE:
            if question is not None:
                updates.append({"id": conversation_id, "title": _fallback(question), "source": "fallback"})
        elif question is not None and _was_automatic(title, question):
            updates.append({"id": conversation_id, "title": title, "source": "fallback"})
        else:
            updates.append({"id": conversation_id, "title": title, "source": "user"})
    if updates:
        connection.execute(
            sa.text("UPDATE conversation SET title = :title, title_source = :source WHERE id = :id"), updates
        )


def upgrade() -> None:
    op.add_column(
        "conversation",
        sa.Column("title_source", sa.String(16), nullable=False, server_default="default"),
    )
    op.add_column("message", sa.Column("cost_usd", sa.Float(), nullable=True))
    op.add_column("message", sa.Column("first_token_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("message", sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    # Titles first: on SQLite the title index is then built once, from the final titles.
    _backfill_title_sources(connection)
    statements = SQLITE_FTS if connection.dialect.name == "sqlite" else POSTGRES_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in (
            "message_fts_insert",
            "message_fts_delete",
            "message_fts_update",
            "conversation_fts_insert",
            "conversation_fts_delete",
            "conversation_fts_update",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS message_fts")
        op.execute("DROP TABLE IF EXISTS conversation_fts")
    else:
        op.execute("DROP INDEX IF EXISTS message_content_search")
        op.execute("DROP INDEX IF EXISTS conversation_title_search")
    # Plain ALTER TABLE (SQLite 3.35+), not batch mode: rebuilding `conversation` drops the old
    # table, and with foreign keys on that deletes every message through the cascade.
    for table, column in (
        ("message", "finished_at"),
        ("message", "first_token_at"),
        ("message", "cost_usd"),
        ("conversation", "title_source"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
