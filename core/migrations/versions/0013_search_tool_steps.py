"""Search finds an answer by its tool steps too: the tools it called, their arguments, what they gave.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

What is searched of a step is every string in it (the JSON's string values, not its keys): its
tool's name, its arguments' JSON text, its output or its error, its id. Both databases read the
same: SQLite's `json_tree` and Postgres' `to_tsvector` over JSON take string values alone.

- SQLite: a second FTS5 table, `message_steps_fts`, keyed by the message's rowid like
  `message_fts`, kept in step with `tool_steps` by triggers, and filled from the answers there.
- Postgres: a GIN index on the steps' words beside the one on the text.

The SQL is written out here rather than imported, so this revision stays what it was.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every string in an answer's steps, as one text (NULL for an answer without steps).
STEPS_TEXT = "(SELECT group_concat(value, ' ') FROM json_tree({row}.tool_steps) WHERE type = 'text')"

SQLITE_UP = [
    # Its own copy of the steps' strings: FTS5 reads an external content table without virtual
    # tables (json_tree is one), so the text cannot be a view's column.
    "CREATE VIRTUAL TABLE message_steps_fts USING fts5(tool_text, "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    f"""CREATE TRIGGER message_steps_fts_insert AFTER INSERT ON message
WHEN new.tool_steps IS NOT NULL BEGIN
  INSERT INTO message_steps_fts(rowid, tool_text) VALUES (new.rowid, {STEPS_TEXT.format(row="new")});
END""",
    """CREATE TRIGGER message_steps_fts_delete AFTER DELETE ON message
WHEN old.tool_steps IS NOT NULL BEGIN
  DELETE FROM message_steps_fts WHERE rowid = old.rowid;
END""",
    f"""CREATE TRIGGER message_steps_fts_update AFTER UPDATE OF tool_steps ON message BEGIN
  DELETE FROM message_steps_fts WHERE rowid = old.rowid;
  INSERT INTO message_steps_fts(rowid, tool_text)
  SELECT new.rowid, {STEPS_TEXT.format(row="new")} WHERE new.tool_steps IS NOT NULL;
END""",
    "INSERT INTO message_steps_fts(rowid, tool_text) "
    f"SELECT rowid, {STEPS_TEXT.format(row='message')} FROM message WHERE tool_steps IS NOT NULL",
]
SQLITE_DOWN = [
    "DROP TRIGGER message_steps_fts_insert",
    "DROP TRIGGER message_steps_fts_delete",
    "DROP TRIGGER message_steps_fts_update",
    "DROP TABLE message_steps_fts",
]

POSTGRES_UP = ["CREATE INDEX message_steps_search ON message USING gin (to_tsvector('simple', tool_steps))"]
POSTGRES_DOWN = ["DROP INDEX message_steps_search"]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(statement)
