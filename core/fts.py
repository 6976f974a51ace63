"""The full-text search objects migrations 0003, 0013 and 0015 create beside the SQLModel tables.

SQLite: FTS5 tables with external content (`message_fts` over `message.content`,
`conversation_fts` over `conversation.title`, `file_chunk_fts` over documents' chunks, which an
answer searches for the parts of a long document that match its question) and one with its own
copy of every string in an answer's tool steps (`message_steps_fts`), keyed by the tables' rowids
and kept in sync by triggers. Postgres: GIN indexes on `to_tsvector('simple', …)` of the same
columns (of `tool_steps`, its string values).

They are not in SQLModel's metadata (neither database could create the other's), so schema
comparisons skip them by name.
"""

from typing import Any

# Word lists without stemming, the same on both databases: a search finds the words typed.
PG_CONFIG = "simple"
SQLITE_TOKENIZER = "unicode61 remove_diacritics 2"

MESSAGE_FTS = "message_fts"
CONVERSATION_FTS = "conversation_fts"
MESSAGE_TRIGGERS = ("message_fts_insert", "message_fts_delete", "message_fts_update")
CONVERSATION_TRIGGERS = ("conversation_fts_insert", "conversation_fts_delete", "conversation_fts_update")
PG_INDEXES = (
    "message_content_search",
    "conversation_title_search",
    "message_steps_search",
    "file_chunk_search",
)

STEPS_FTS = "message_steps_fts"
CHUNKS_FTS = "file_chunk_fts"

_PREFIXES = (
    MESSAGE_FTS,
    CONVERSATION_FTS,
    STEPS_FTS,
    CHUNKS_FTS,
)  # and FTS5's shadow tables: message_fts_data, …


def is_search_object(name: str | None) -> bool:
    if not name:
        return False
    return name in PG_INDEXES or any(name == p or name.startswith(p + "_") for p in _PREFIXES)


def include_object(_object: Any, name: str | None, _type: str, _reflected: bool, _compare_to: Any) -> bool:
    """Alembic's `include_object` hook: leave the search objects out of schema comparisons."""
    return not is_search_object(name)
