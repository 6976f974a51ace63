"""A full-text index over documents' chunks, for finding a long document's parts that answer a question.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

SQLite: an FTS5 table with external content over `file_chunk.text` (keyed by the chunk's id, kept
by triggers), ranked with its `bm25()`. Postgres: a GIN index on `to_tsvector('simple', text)`.
Chunks are written once and deleted with their file, never updated.

The SQL is written out here rather than imported, so this revision stays what it was.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE file_chunk_fts USING fts5(text, content='file_chunk', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    """CREATE TRIGGER file_chunk_fts_insert AFTER INSERT ON file_chunk BEGIN
  INSERT INTO file_chunk_fts(rowid, text) VALUES (new.id, new.text);
END""",
    """CREATE TRIGGER file_chunk_fts_delete AFTER DELETE ON file_chunk BEGIN
  INSERT INTO file_chunk_fts(file_chunk_fts, rowid, text) VALUES ('delete', old.id, old.text);
END""",
    "INSERT INTO file_chunk_fts(file_chunk_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER file_chunk_fts_insert",
    "DROP TRIGGER file_chunk_fts_delete",
    "DROP TABLE file_chunk_fts",
]
POSTGRES_UP = ["CREATE INDEX file_chunk_search ON file_chunk USING gin (to_tsvector('simple', text))"]
POSTGRES_DOWN = ["DROP INDEX file_chunk_search"]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(statement)
