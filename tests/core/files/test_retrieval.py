"""A long document's best-matching chunks from the full-text index, on SQLite and Postgres: only
the file's own, best first; none for a question with no word of it; its beginning on request."""

from collections.abc import AsyncIterator

import pytest

from core.db import Sessionmaker, make_engine, make_sessionmaker
from core.files.retrieval import best_chunks, first_chunks, question_words
from core.migrate import upgrade
from core.models import FileChunk, FileStatus, StoredFile, User

FILLER = "The river and the meadow and the orchard in the summer season."


@pytest.fixture
async def sessionmaker(empty_database: str) -> AsyncIterator[Sessionmaker]:
    upgrade(empty_database)
    engine = make_engine(empty_database)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def document(sessionmaker: Sessionmaker, texts: list[str]) -> str:
    """A read document of these chunks (one per page): its file's id."""
    async with sessionmaker() as session:
        owner = User(email=f"{len(texts)}-{id(texts)}@example.com", password_hash="-")
        stored = StoredFile(owner_id=owner.id, name="d.pdf", size=1, content_type="application/pdf")
        stored.status = FileStatus.ready
        session.add(owner)
        await session.flush()
        session.add(stored)
        await session.flush()
        session.add_all(
            FileChunk(file_id=stored.id, ordinal=n, page=n + 1, text=text, tokens=len(text.split()))
            for n, text in enumerate(texts)
        )
        await session.commit()
        return stored.id


async def test_the_chunks_with_the_questions_words_come_best_first(sessionmaker: Sessionmaker) -> None:
    texts = [FILLER] * 30
    texts[21] = "The archivist keeps the blue ledger in the north tower."
    texts[7] = "A ledger of the harvest."
    file_id = await document(sessionmaker, texts)
    other = await document(sessionmaker, ["The blue ledger of someone else."] * 3)
    async with sessionmaker() as session:
        found = await best_chunks(session, file_id, "Where is the blue ledger kept?")
        assert [c.ordinal for c in found[:2]] == [21, 7]
        assert {c.file_id for c in found} == {file_id}  # never another file's
        assert found[0].page == 22
        assert await best_chunks(session, file_id, "zebra quokka") == []
        assert await best_chunks(session, file_id, "?!") == []
        assert [c.ordinal for c in await first_chunks(session, file_id, limit=3)] == [0, 1, 2]
        assert len(await best_chunks(session, other, "blue")) == 3


def test_a_question_is_its_telling_words_only_each_once() -> None:
    assert question_words('Where "is" the AND blue* ledger, the ledger?') == ["blue", "ledger"]
    assert question_words("Who is it?") == ["who", "is", "it"]  # nothing but common words: all of them
