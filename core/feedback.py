"""Feedback: a user's thumbs up or down on a finished answer of theirs, with an optional comment,
and the admins' reading of it, with the answer and its question, for evaluation."""

import json
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.orm import aliased
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from core.ids import new_id
from core.models import Feedback, Message, Role, Status, User, utcnow
from core.schemas import FeedbackRead, UtcDatetime
from core.upserts import upsert

Rating = Literal["up", "down"]
MAX_COMMENT_CHARS = 2000
EXPORT_BATCH = 500


class NotRatable(Exception):
    """The message is not a finished answer: a sentence saying why."""


class FeedbackRow(BaseModel):
    """One user's feedback on an answer, as the admins read it."""

    id: str
    rating: Rating
    comment: str | None
    model: str | None
    answer: str
    question: str | None  # None: the answer's question is gone
    user_email: str
    message_id: str
    conversation_id: str
    created_at: UtcDatetime
    updated_at: UtcDatetime


def check_ratable(message: Message) -> None:
    if message.role != Role.assistant:
        raise NotRatable("Only an answer can be rated, not a question.")
    if message.status in (Status.queued, Status.streaming):
        raise NotRatable("The answer is still being written: rate it once it has finished.")
    if message.status == Status.failed:
        raise NotRatable("A failed answer has nothing to rate.")


async def give(
    session: AsyncSession, message: Message, user_id: str, rating: Rating, comment: str | None
) -> Feedback:
    """The user's feedback on the answer, made or replaced; NotRatable unless it has finished. Commits."""
    check_ratable(message)
    now = utcnow()
    values = {
        "id": new_id(),
        "message_id": message.id,
        "user_id": user_id,
        "rating": rating,
        "comment": (comment or "").strip() or None,
        "created_at": now,
        "updated_at": now,
    }
    changes = ["rating", "comment", "updated_at"]
    # One statement, not a read then an insert: two requests for the same answer at once both
    # succeed, the later one's rating kept.
    row = await upsert(session, Feedback, values, ["message_id", "user_id"], changes)
    await session.commit()
    return row


async def take_back(session: AsyncSession, message: Message, user_id: str) -> None:
    """The user's feedback on the answer is gone (nothing if none). Commits."""
    await session.exec(
        delete(Feedback).where(col(Feedback.message_id) == message.id, col(Feedback.user_id) == user_id)
    )
    await session.commit()


async def feedback_on(session: AsyncSession, messages: Sequence[Message]) -> dict[str, FeedbackRead]:
    """The feedback each answer of `messages` has from its conversation's owner, by message id."""
    ids = [m.id for m in messages if m.role == Role.assistant]
    if not ids:
        return {}
    rows = await session.exec(select(Feedback).where(col(Feedback.message_id).in_(ids)))
    return {row.message_id: FeedbackRead.model_validate(row) for row in rows}


def _rows() -> Select[Feedback, Message, str, str]:
    question = aliased(Message)
    return (
        select(Feedback, Message, col(User.email), col(question.content))
        .join(Message, col(Message.id) == col(Feedback.message_id))
        .join(User, col(User.id) == col(Feedback.user_id))
        .outerjoin(question, col(question.id) == col(Message.parent_id))
    )


def _row(feedback: Feedback, answer: Message, email: str, question: str | None) -> FeedbackRow:
    return FeedbackRow(
        id=feedback.id,
        rating="up" if feedback.rating == "up" else "down",
        comment=feedback.comment,
        model=answer.model,
        answer=answer.content,
        question=question,
        user_email=email,
        message_id=answer.id,
        conversation_id=answer.conversation_id,
        created_at=feedback.created_at,
        updated_at=feedback.updated_at,
    )


async def newest(session: AsyncSession, offset: int, limit: int) -> tuple[list[FeedbackRow], bool]:
    """A page of everyone's feedback, newest first, and whether there is more."""
    found = await session.exec(
        _rows()
        .order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
        .offset(offset)
        .limit(limit + 1)
    )
    rows = [_row(*row) for row in found]
    return rows[:limit], len(rows) > limit


async def batch_after(session: AsyncSession, after: str | None) -> list[FeedbackRow]:
    """The next `EXPORT_BATCH` of all feedback, oldest first, after the one with id `after`."""
    query = _rows().order_by(col(Feedback.id)).limit(EXPORT_BATCH)
    if after is not None:
        query = query.where(col(Feedback.id) > after)
    return [_row(*row) for row in await session.exec(query)]


def export_line(row: FeedbackRow) -> str:
    """One JSONL line for evaluation: the rating and comment, the question and the answer."""
    line = {
        "rating": row.rating,
        "comment": row.comment,
        "model": row.model,
        "prompt": row.question,
        "answer": row.answer,
        "created_at": row.created_at.isoformat(),
        "message_id": row.message_id,
        "conversation_id": row.conversation_id,
    }
    return json.dumps(line, ensure_ascii=False) + "\n"
