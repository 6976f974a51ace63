"""Feedback in a real database: who may rate what, one row per answer and user, and the admins'
reading of it, a page and an export's batches (across the batch's bound)."""

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core import feedback
from core.db import make_engine, make_sessionmaker
from core.models import Feedback, Message, Role, Status
from tests.support.seeded import seeded


@pytest.fixture
async def session(empty_database: str) -> AsyncIterator[AsyncSession]:
    async for opened in seeded(empty_database, "rater@example.com"):
        yield opened


async def pair(session: AsyncSession, number: int, status: Status = Status.complete) -> Message:
    question = Message(
        conversation_id="c", role=Role.user, content=f"question {number}", status=Status.complete
    )
    session.add(question)
    await session.flush()
    answer = Message(
        conversation_id="c",
        parent_id=question.id,
        role=Role.assistant,
        content=f"answer {number}",
        status=status,
        model="m",
    )
    session.add(answer)
    await session.commit()
    return answer


async def test_only_a_finished_answer_is_rated_and_a_new_rating_replaces_the_old(
    session: AsyncSession,
) -> None:
    answer = await pair(session, 1)
    question = await session.get(Message, answer.parent_id)
    assert question is not None
    for message, status in ((question, Status.complete), (answer, Status.streaming), (answer, Status.failed)):
        message.status = status
        with pytest.raises(feedback.NotRatable):
            await feedback.give(session, message, "u", "up", None)
    answer.status = Status.stopped
    await feedback.give(session, answer, "u", "up", "  fine  ")
    await feedback.give(session, answer, "u", "down", "   ")
    rows = list(await session.exec(select(Feedback)))
    assert [(row.rating, row.comment) for row in rows] == [("down", None)]
    read = await feedback.feedback_on(session, [answer])
    assert read[answer.id].rating == "down"
    await feedback.take_back(session, answer, "u")
    assert await feedback.feedback_on(session, [answer]) == {}


async def test_the_admins_read_a_page_newest_first_and_the_export_in_batches(session: AsyncSession) -> None:
    count = feedback.EXPORT_BATCH + 1
    answers = [await pair(session, number) for number in range(count)]
    for answer in answers:
        await feedback.give(session, answer, "u", "up", None)

    page, more = await feedback.newest(session, 0, 2)
    assert [row.answer for row in page] == [f"answer {count - 1}", f"answer {count - 2}"]
    assert more
    assert page[0].question == f"question {count - 1}"
    assert page[0].user_email == "rater@example.com"
    _, more = await feedback.newest(session, count - 2, 2)
    assert not more

    first = await feedback.batch_after(session, None)
    rest = await feedback.batch_after(session, first[-1].id)
    assert (len(first), len(rest)) == (feedback.EXPORT_BATCH, 1)
    assert [row.message_id for row in first + rest] == [answer.id for answer in answers]
    line = json.loads(feedback.export_line(rest[0]))
    assert line == {
        "rating": "up",
        "comment": None,
        "model": "m",
        "prompt": f"question {count - 1}",
        "answer": f"answer {count - 1}",
        "created_at": rest[0].created_at.isoformat(),
        "message_id": answers[-1].id,
        "conversation_id": "c",
    }


async def test_concurrent_ratings_of_one_answer_all_succeed_and_leave_one_row(empty_database: str) -> None:
    """Once a 500: the second writer's insert hit the unique key, and its retry read an expired row."""
    async for session in seeded(empty_database, "rater@example.com"):
        answer = await pair(session, 1)
        # Each writer its own engine (SQLite's holds one connection), and the answer loaded in its
        # own session, as the route has it.
        engines = [make_engine(empty_database) for _ in range(6)]
        others = [make_sessionmaker(engine)() for engine in engines]
        try:
            messages = []
            for other in others:
                messages.append(await other.get(Message, answer.id))
                await other.commit()  # SQLite: the next one's transaction need not wait for it
            ratings: list[feedback.Rating] = ["up", "down"] * 3
            given = await asyncio.gather(
                *(
                    feedback.give(other, message, "u", rating, f"comment {n}")
                    for n, (other, message, rating) in enumerate(zip(others, messages, ratings, strict=True))
                    if message is not None
                )
            )
        finally:
            for other, engine in zip(others, engines, strict=True):
                await other.close()
                await engine.dispose()
        assert len(given) == len(others)
        rows = list(await session.exec(select(Feedback)))
        assert len(rows) == 1
        assert (rows[0].rating, rows[0].comment) in {(g.rating, g.comment) for g in given}
        assert len({g.id for g in given}) == 1
