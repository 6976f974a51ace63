"""Starting an answer: the checks and the one transaction that submit, edit and regenerate share.

Each stores what is new (a question and its queued answer, or only an answer), makes the answer
the end of the conversation's selected branch, commits, then enqueues the answer's job. The
database decides the races: the `one_active_answer_per_conversation` index makes a second running
answer fail (409), and `one_message_per_client_id` turns a client's retry into the stored result.
"""

import asyncio
import logging

from fastapi import HTTPException, status
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from api.deps import CatalogDep, RedisDep, SessionDep, SettingsDep
from api.lookups import find_conversation
from api.schemas import SubmitResult
from core.catalog import ModelSpec, UnknownModel, budgets
from core.jobs import enqueue_answer
from core.models import Conversation, Message, Role, Status, TitleSource, is_active_answer, utcnow
from core.schemas import MessageRead
from core.tokens import counter_for, required_tokens

logger = logging.getLogger(__name__)

# Past this, the request answers 202 anyway: the answer is stored, and the sweep enqueues it.
ENQUEUE_TIMEOUT_SECONDS = 2.0
ANSWER_ACTIVE = "An answer is still being generated in this conversation. Wait for it or stop it first."


def check_content(content: str, limit: int) -> None:
    if not content.strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "Message is empty")
    if "\x00" in content:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "Message contains a NUL character")
    if len(content) > limit:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            f"Message is too long: {len(content):,} characters, the limit is {limit:,}",
        )


def conversation_model(catalog: CatalogDep, conversation: Conversation) -> ModelSpec:
    try:
        return catalog.get(conversation.model)
    except UnknownModel as unknown:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"This conversation's model is gone: {unknown}"
        ) from None


def check_fits(model: ModelSpec, conversation: Conversation, content: str, settings: SettingsDep) -> None:
    """The system prompt and the question alone must fit what the answer leaves of the window."""
    needed = required_tokens(counter_for(model), conversation.system_prompt, content)
    budget, _ = budgets(model, settings.max_answer_tokens, conversation.max_tokens)
    if needed > budget:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            f"Message is too long for the model: {needed:,} tokens with the system prompt, "
            f"room for {budget:,}",
        )


def _result(question: Message, answer: Message) -> SubmitResult:
    return SubmitResult(
        user_message=MessageRead.model_validate(question),
        assistant_message=MessageRead.model_validate(answer),
    )


async def stored_result(session: SessionDep, conversation_id: str, client_id: str) -> SubmitResult | None:
    """What an earlier request with this client_id made: a question and its first answer, or a
    regenerated answer and its question."""
    made = (
        await session.exec(
            select(Message).where(Message.conversation_id == conversation_id, Message.client_id == client_id)
        )
    ).first()
    if made is None:
        return None
    if made.role == Role.assistant:
        question = await session.get(Message, made.parent_id) if made.parent_id else None
        assert question is not None  # an answer is only ever made for a stored question
        return _result(question, made)
    answer = (
        await session.exec(
            select(Message)
            .where(Message.parent_id == made.id, Message.role == Role.assistant)
            .order_by(col(Message.id))
        )
    ).first()
    assert answer is not None  # both are written in one transaction
    return _result(made, answer)


async def _repeat_or_conflict(
    session: SessionDep, conversation_id: str, client_id: str | None
) -> SubmitResult:
    """A concurrent request got there first: the same one again, or another one (409)."""
    if client_id and (result := await stored_result(session, conversation_id, client_id)):
        return result
    await find_conversation(session, conversation_id)  # deleted meanwhile: 404
    raise HTTPException(status.HTTP_409_CONFLICT, ANSWER_ACTIVE)


async def start_answer(
    session: SessionDep,
    redis: RedisDep,
    conversation: Conversation,
    question: Message,
    model: ModelSpec,
    client_id: str | None,
    new_question: bool,
    fallback_title: str | None = None,
) -> SubmitResult:
    """Store `question` (when `new_question`) and a queued answer to it, select the answer's branch
    (and name the conversation `fallback_title`), commit, and enqueue the answer. The client_id goes
    on what the request made first.

    The route has read and checked in a read-only transaction (`READ_ONLY_CHECKS`); it ends here, so that
    the write lock is held for the inserts alone, not for the checks and the token counting."""
    active = await session.exec(
        select(Message.id).where(Message.conversation_id == conversation.id, is_active_answer())
    )
    if active.first() is not None:
        return await _repeat_or_conflict(session, conversation.id, client_id)
    # Ends the reads' transaction; what follows is a write transaction of its own. Nothing may be
    # changed before it: a change it flushed would be a write in the read-only transaction, which
    # SQLite refuses when another process has written meanwhile.
    await session.commit()
    answer = Message(
        conversation_id=conversation.id,
        parent_id=question.id,
        role=Role.assistant,
        status=Status.queued,
        model=model.id,
        client_id=None if new_question else client_id,
    )
    if new_question:
        question.client_id = client_id
        session.add(question)
    if fallback_title is not None:
        conversation.title = fallback_title
        conversation.title_source = TitleSource.fallback
    conversation.selected_leaf_id = answer.id
    conversation.updated_at = utcnow()
    session.add_all([answer, conversation])
    conversation_id = conversation.id  # the rollback below expires every loaded object
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return await _repeat_or_conflict(session, conversation_id, client_id)

    try:
        await asyncio.wait_for(enqueue_answer(redis, answer.id), ENQUEUE_TIMEOUT_SECONDS)
    except (RedisError, TimeoutError) as error:
        # The answer is stored: the workers' recovery sweep enqueues it once Redis answers again.
        logger.warning("could not enqueue answer %s now (%r); the sweep will", answer.id, error)
    return _result(question, answer)
