"""Full-text search over conversation titles, message text and answers' tool steps, newest first.

SQLite reads the FTS5 tables and Postgres the tsvector indexes that migrations 0003 and 0013
made (core/fts.py); a message found by its tool steps gets its snippet from them. Every word
typed must appear, the last one as a prefix (search as you type). Results are the newest
matches, so a common word costs no more than a rare one: FTS5 walks its index in rowid order and
stops at the limit.
"""

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from core.fts import MESSAGE_FTS, PG_CONFIG, STEPS_FTS
from core.models import Role, Source
from core.schemas import UtcDatetime

MAX_WORDS = 8
START, STOP = "\x02", "\x03"
"""Marks around each match in the database's snippet; no text relaychat stores contains them."""

SNIPPET_WORDS = 16
SHORT_CHARS = 160
"""Postgres shows a message this short whole; a longer one as the fragment around the match."""
EDGE_CHARS = 24
ELLIPSIS = "…"
_WORD = re.compile(r"[^\W_]+")
_MARKED = re.compile(f"{START}(.*?){STOP}", re.DOTALL)


class SnippetPart(BaseModel):
    text: str
    hit: bool


class SearchHit(BaseModel):
    conversation_id: str
    conversation_title: str
    conversation_source: Source
    message_id: str | None
    role: Role | None
    snippet: list[SnippetPart]
    """The matching part, with the matched words marked (`hit`)."""
    created_at: UtcDatetime


class SearchResults(BaseModel):
    conversations: list[SearchHit]
    messages: list[SearchHit]


def words(query: str, limit: int | None = MAX_WORDS) -> list[str]:
    """The words to look for, as both databases split text into words (at most `limit`; None: all)."""
    return _WORD.findall(query.lower())[:limit]


def parts(marked: str) -> list[SnippetPart]:
    """A snippet with START/STOP marks, as plain and matched parts."""
    result: list[SnippetPart] = []
    position = 0
    for match in _MARKED.finditer(marked):
        if match.start() > position:
            result.append(SnippetPart(text=marked[position : match.start()], hit=False))
        result.append(SnippetPart(text=match.group(1), hit=True))
        position = match.end()
    if position < len(marked):
        result.append(SnippetPart(text=marked[position:], hit=False))
    return result


def _sqlite_match(found: list[str]) -> str:
    # Quoted, each word is a plain term whatever it spells (AND, NEAR, column names).
    return " ".join(f'"{word}"' for word in found[:-1]) + f' "{found[-1]}"*'


def _pg_query(found: list[str]) -> str:
    return " & ".join([*found[:-1], f"{found[-1]}:*"])


# Only the owner's: the condition is inside the walk of the index, before the limit. Messages found
# by their text, then those found by their tool steps, each newest first; `search` merges them.
_SQLITE_FOUND_IN = """
SELECT * FROM (
  SELECT m.rowid, m.id, m.conversation_id, m.role, m.created_at, c.title, c.source,
         snippet({table}, 0, char(2), char(3), '…', {words})
  FROM {table}
  JOIN message m ON m.rowid = {table}.rowid
  JOIN conversation c ON c.id = m.conversation_id
  WHERE {table} MATCH :match AND c.owner_id = :owner
  ORDER BY {table}.rowid DESC LIMIT :limit)
"""
SQLITE_MESSAGES = sa.text(
    _SQLITE_FOUND_IN.format(table=MESSAGE_FTS, words=SNIPPET_WORDS)
    + "UNION ALL"
    + _SQLITE_FOUND_IN.format(table=STEPS_FTS, words=SNIPPET_WORDS)
)

SQLITE_TITLES = sa.text("""
SELECT c.id, c.created_at, c.source, highlight(conversation_fts, 0, char(2), char(3))
FROM conversation_fts
JOIN conversation c ON c.rowid = conversation_fts.rowid
WHERE conversation_fts MATCH :match AND c.owner_id = :owner
ORDER BY conversation_fts.rowid DESC LIMIT :limit
""")

# The WHERE clauses repeat the indexes' expressions exactly, so Postgres uses them; ts_headline
# runs in the outer query, on the few rows kept, not on every match.
PG_MESSAGES = sa.text(f"""
SELECT id, conversation_id, role, created_at, title, source,
       CASE WHEN length(text) <= :short
            THEN ts_headline('{PG_CONFIG}', text, to_tsquery('{PG_CONFIG}', :query), :whole)
            ELSE ts_headline('{PG_CONFIG}', text, to_tsquery('{PG_CONFIG}', :query), :options)
       END AS snippet,
       left(text, {EDGE_CHARS}), right(text, {EDGE_CHARS})
FROM (SELECT m.id, m.conversation_id, m.role, m.created_at, c.title, c.source,
             CASE WHEN to_tsvector('{PG_CONFIG}', m.content) @@ to_tsquery('{PG_CONFIG}', :query)
                  THEN m.content
                  ELSE (SELECT string_agg(value #>> '{{}}', ' ')
                        FROM jsonb_path_query(m.tool_steps::jsonb, 'strict $.**') AS value
                        WHERE jsonb_typeof(value) = 'string')
             END AS text
      FROM (SELECT message.id FROM message JOIN conversation ON conversation.id = message.conversation_id
            WHERE (to_tsvector('{PG_CONFIG}', content) @@ to_tsquery('{PG_CONFIG}', :query)
                   OR to_tsvector('{PG_CONFIG}', tool_steps) @@ to_tsquery('{PG_CONFIG}', :query))
              AND conversation.owner_id = :owner
            ORDER BY message.id DESC LIMIT :limit) AS hits
      JOIN message m ON m.id = hits.id
      JOIN conversation c ON c.id = m.conversation_id) AS found
ORDER BY id DESC
""")

PG_TITLES = sa.text(f"""
SELECT c.id, c.created_at, c.source,
       ts_headline('{PG_CONFIG}', c.title, to_tsquery('{PG_CONFIG}', :query), :whole) AS marked
FROM (SELECT id FROM conversation
      WHERE to_tsvector('{PG_CONFIG}', title) @@ to_tsquery('{PG_CONFIG}', :query) AND owner_id = :owner
      ORDER BY id DESC LIMIT :limit) AS hits
JOIN conversation c ON c.id = hits.id
ORDER BY c.id DESC
""")

_MARKS = f"StartSel={START}, StopSel={STOP}"
PG_SNIPPET = f"{_MARKS}, MaxWords={SNIPPET_WORDS + 4}, MinWords={SNIPPET_WORDS // 2}, MaxFragments=1"
PG_WHOLE = f"{_MARKS}, HighlightAll=true"


def _with_ellipses(snippet: str, head: str, tail: str) -> str:
    """Mark a Postgres fragment that starts after the text's start or ends before its end, as
    SQLite's snippet() does."""
    plain = snippet.replace(START, "").replace(STOP, "").strip()
    if not head.lstrip().startswith(plain[: len(head.strip())][: EDGE_CHARS // 2]):
        snippet = ELLIPSIS + snippet
    if not tail.rstrip().endswith(plain[-EDGE_CHARS // 2 :]):
        snippet += ELLIPSIS
    return snippet


def _message_hit(row: sa.Row[Any] | tuple[Any, ...]) -> SearchHit:
    message_id, conversation_id, role, created_at, title, source, snippet, *edges = tuple(row)
    if edges:
        snippet = _with_ellipses(snippet, *edges)
    return SearchHit(
        conversation_id=conversation_id,
        conversation_title=title,
        conversation_source=Source(source),
        message_id=message_id,
        role=Role(role),
        snippet=parts(snippet),
        created_at=created_at,
    )


def _title_hit(row: sa.Row[Any]) -> SearchHit:
    conversation_id, created_at, source, marked = tuple(row)
    title = marked.replace(START, "").replace(STOP, "")
    return SearchHit(
        conversation_id=conversation_id,
        conversation_title=title,
        conversation_source=Source(source),
        message_id=None,
        role=None,
        snippet=parts(marked),
        created_at=created_at,
    )


def _newest_of_both(rows: list[tuple[Any, ...]], limit: int) -> list[tuple[Any, ...]]:
    """The newest `limit` messages of those found by their text and by their steps (each row led
    by its rowid); one found both ways keeps its text's snippet, which comes first."""
    seen: set[str] = set()
    newest: list[tuple[Any, ...]] = []
    for row in sorted(rows, key=lambda row: -row[0]):  # stable: text first
        if row[1] not in seen:
            seen.add(row[1])
            newest.append(row[1:])
    return newest[:limit]


async def search(connection: AsyncConnection, owner_id: str, query: str, limit: int) -> SearchResults:
    """The owner's newest `limit` conversations whose title matches, and newest `limit` messages."""
    found = words(query)
    if not found:
        return SearchResults(conversations=[], messages=[])
    if connection.dialect.name == "sqlite":
        params: dict[str, object] = {"match": _sqlite_match(found), "limit": limit, "owner": owner_id}
        titles = await connection.execute(SQLITE_TITLES, params)
        both = await connection.execute(SQLITE_MESSAGES, params)
        messages: Iterable[tuple[Any, ...] | sa.Row[Any]] = _newest_of_both([tuple(r) for r in both], limit)
    else:
        params = {
            "query": _pg_query(found),
            "limit": limit,
            "options": PG_SNIPPET,
            "whole": PG_WHOLE,
            "short": SHORT_CHARS,
            "owner": owner_id,
        }
        titles = await connection.execute(PG_TITLES, params)
        messages = await connection.execute(PG_MESSAGES, params)
    return SearchResults(
        conversations=[_title_hit(row) for row in titles], messages=[_message_hit(row) for row in messages]
    )
