"""A long document's chunks that best match a question, best first, from the full-text index
(SQLite: FTS5's BM25; Postgres: `ts_rank_cd`), so that only those are read from the database."""

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.fts import CHUNKS_FTS, PG_CONFIG
from core.models import FileChunk
from core.search import words as split_words

MAX_RANKED = 64
"""Chunks read for one document: far more than a prompt's share holds of chunks of 400 tokens."""
MAX_QUESTION_WORDS = 32
# English words too common to tell chunks apart. BM25 weighs them down by itself, but Postgres'
# ranking knows no word's rarity, and counting "the" four times would outrank a chunk with the
# question's one rare word; left out on both, the two rank alike.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)

_COLUMNS = "c.id, c.file_id, c.ordinal, c.page, c.text, c.tokens"
# The file's chunks have neighbouring ids (a file's are written in one transaction): the id range
# keeps FTS5's walk to them, and the file's id makes sure of it.
SQLITE_BEST = sa.text(f"""
SELECT {_COLUMNS} FROM {CHUNKS_FTS}
JOIN file_chunk c ON c.id = {CHUNKS_FTS}.rowid
WHERE {CHUNKS_FTS} MATCH :match AND {CHUNKS_FTS}.rowid BETWEEN :first AND :last AND c.file_id = :file_id
ORDER BY bm25({CHUNKS_FTS}) LIMIT :limit
""")
PG_BEST = sa.text(f"""
SELECT {_COLUMNS} FROM file_chunk c
WHERE c.file_id = :file_id AND to_tsvector('{PG_CONFIG}', c.text) @@ to_tsquery('{PG_CONFIG}', :query)
ORDER BY ts_rank_cd(to_tsvector('{PG_CONFIG}', c.text), to_tsquery('{PG_CONFIG}', :query)) DESC, c.ordinal
LIMIT :limit
""")


def question_words(question: str) -> list[str]:
    """The question's distinct words that tell chunks apart (letters and digits only: nothing is an
    operator); all of them when every one is common."""
    words = list(dict.fromkeys(split_words(question, limit=None)))
    telling = [word for word in words if word not in STOPWORDS]
    return (telling or words)[:MAX_QUESTION_WORDS]


async def best_chunks(
    session: AsyncSession, file_id: str, question: str, limit: int = MAX_RANKED
) -> list[FileChunk]:
    """The file's chunks with any of the question's words, best match first; none when no chunk
    has one."""
    words = question_words(question)
    if not words:
        return []
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        span = (
            await session.exec(
                select(sa.func.min(FileChunk.id), sa.func.max(FileChunk.id)).where(
                    col(FileChunk.file_id) == file_id
                )
            )
        ).one()
        if span[0] is None:
            return []
        match = " OR ".join(f'"{word}"' for word in words)
        params: dict[str, object] = {"match": match, "first": span[0], "last": span[1]}
        rows = await connection.execute(SQLITE_BEST, {**params, "file_id": file_id, "limit": limit})
    else:
        query = " | ".join(words)
        rows = await connection.execute(PG_BEST, {"query": query, "file_id": file_id, "limit": limit})
    return [FileChunk(id=r[0], file_id=r[1], ordinal=r[2], page=r[3], text=r[4], tokens=r[5]) for r in rows]


async def first_chunks(session: AsyncSession, file_id: str, limit: int = MAX_RANKED) -> list[FileChunk]:
    """The document's beginning, for a question none of whose words it has."""
    found = await session.exec(
        select(FileChunk)
        .where(col(FileChunk.file_id) == file_id)
        .order_by(col(FileChunk.ordinal))
        .limit(limit)
    )
    return list(found)
