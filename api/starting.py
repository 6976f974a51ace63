"""Starting an answer: the checks and the one transaction that submit, edit and regenerate share.

Each stores what is new (a question and its queued answer, or only an answer), makes the answer
the end of the conversation's selected branch, admits it within its owner's limits (429
otherwise), commits, then enqueues the answer's job in its owner's turn. The database decides the
races: the `one_active_answer_per_conversation` index makes a second running
answer fail (409), and `one_message_per_client_id` turns a client's retry into the stored result.
"""

import asyncio
import logging
from typing import Any

from arq.connections import ArqRedis
from fastapi import HTTPException, status
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.lookups import CONVERSATION_NOT_FOUND
from api.schemas import SubmitResult
from core.admission import OverLimit, admit, withdraw
from core.catalog import Catalog, ModelSpec, UnknownModel, budgets
from core.jobs import enqueue_answer
from core.limits import Limits, limits_of
from core.models import Conversation, Message, Role, Status, TitleSource, is_active_answer, utcnow
from core.schemas import MessageRead
from core.settings import Settings
from core.titles import fallback_title
from core.tokens import TokenCounter, counter_for, required_tokens

logger = logging.getLogger(__name__)

# Past this, the request answers 202 anyway: the answer is stored, and the sweep enqueues it.
ENQUEUE_TIMEOUT_SECONDS = 2.0
ANSWER_ACTIVE = "An answer is still being generated in this conversation. Wait for it or stop it first."


async def start_answer(
    session: AsyncSession,
    redis: ArqRedis,
    settings: Settings,
    catalog: Catalog,
    conversation: Conversation,
    question: Message,
    client_id: str | None,
    *,
    new_question: bool,
    names_conversation: bool = False,
) -> SubmitResult:
    """Answer `question`: a new one to store with its answer (submit, edit), or a stored one
    (regenerate). Select the answer's branch, name the conversation after the question when
    `names_conversation`, commit, and enqueue the answer. The client_id goes on what the request
    made first; a request with a client_id that already made something gets that instead.

    Everything before the commit below only reads, in the read-only transaction the route's
    lookups began (`READ_ONLY_CHECKS`): the writes then get a short transaction of their own, and
    the write lock is held for the inserts alone, not for the checks and the token counting."""
    if new_question:
        check_content(question.content, settings.max_message_chars)
    if client_id and (result := await _stored_result(session, conversation.id, client_id)):
        return result
    model = _conversation_model(catalog, conversation)
    counter = counter_for(model)
    if new_question:
        # Counted once, here: every later prompt of the branch sums the stored count.
        question.tokens, question.tokenizer = counter.count(question.content), counter.name
    check_fits(counter, model, conversation, question, settings)
    active = await session.exec(
        select(Message.id).where(Message.conversation_id == conversation.id, is_active_answer())
    )
    if active.first() is not None:
        return await _repeat_or_conflict(session, conversation.id, client_id)
    owner = conversation.owner_id
    limits = await limits_of(session, owner) if owner else Limits()
    # Ends the reads' transaction; what follows is a write transaction of its own. Nothing may be
    # changed before it: a change it flushed would be a write in the read-only transaction, which
    # SQLite refuses when another process has written meanwhile.
    await session.commit()
    answer = queued_answer(question, model, client_id=None if new_question else client_id)
    if new_question:
        question.client_id = client_id
        session.add(question)
    if names_conversation:
        # Named at once; the worker's title job may replace it later.
        conversation.title = fallback_title(question.content)
        conversation.title_source = TitleSource.fallback
    conversation.selected_leaf_id = answer.id
    conversation.updated_at = utcnow()
    session.add_all([answer, conversation])
    conversation_id = conversation.id  # the rollback below expires every loaded object
    try:
        await admit_and_commit(session, redis, owner, answer.id, limits)
    except IntegrityError:
        await session.rollback()
        return await _repeat_or_conflict(session, conversation_id, client_id)
    await enqueue_stored(redis, answer.id, owner, fair=settings.fair_dispatch)
    return _result(question, answer)


def queued_answer(question: Message, model: ModelSpec, **fields: Any) -> Message:
    """A new answer to `question`, waiting for a worker."""
    return Message(
        conversation_id=question.conversation_id,
        parent_id=question.id,
        role=Role.assistant,
        status=Status.queued,
        model=model.id,
        **fields,
    )


async def admit_and_commit(
    session: AsyncSession, redis: ArqRedis, owner: str | None, answer_id: str, limits: Limits
) -> None:
    """Admit the answer within its owner's limits (429 otherwise), then commit what the session
    holds; if the commit fails, the admission is withdrawn and the error raised."""
    if owner:
        await _admit(redis, owner, answer_id, limits)
    try:
        await session.commit()
    except BaseException:
        if owner:
            await _withdraw(redis, owner, answer_id)
        raise


async def enqueue_stored(redis: ArqRedis, answer_id: str, owner: str | None, *, fair: bool) -> None:
    """Enqueue a stored answer; if Redis does not answer, the workers' sweep enqueues it later."""
    try:
        await asyncio.wait_for(enqueue_answer(redis, answer_id, owner, fair=fair), ENQUEUE_TIMEOUT_SECONDS)
    except (RedisError, TimeoutError) as error:
        logger.warning("could not enqueue answer %s now (%r); the sweep will", answer_id, error)


async def _admit(redis: ArqRedis, owner: str, answer_id: str, limits: Limits) -> None:
    try:
        await asyncio.wait_for(admit(redis, owner, answer_id, limits, utcnow()), ENQUEUE_TIMEOUT_SECONDS)
    except OverLimit as over:
        headers = {"Retry-After": str(over.retry_after_seconds)}
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, over.sentence, headers) from None
    except (RedisError, TimeoutError) as error:
        # The answer is stored either way and the sweep enqueues it; while Redis is out, limits
        # cannot be counted, and an answer is not refused for that.
        logger.warning("could not count answer %s against its limits (%r)", answer_id, error)


async def _withdraw(redis: ArqRedis, owner: str, answer_id: str) -> None:
    try:
        await withdraw(redis, owner, answer_id)
    except RedisError as error:  # the sweep drops it once the grace period has passed
        logger.warning("could not withdraw the admission of %s (%r)", answer_id, error)


async def parent_of_next_question(
    session: AsyncSession, conversation: Conversation, parent_id: str | None
) -> str | None:
    """Where a new question goes: after `parent_id` (what the client shows), else after the
    selected branch's end, else after the newest message."""
    if parent_id is None:
        parent_id = conversation.selected_leaf_id
        if parent_id is None:
            newest = await session.exec(
                select(Message.id)
                .where(Message.conversation_id == conversation.id)
                .order_by(col(Message.id).desc())
            )
            return newest.first()
    parent = await session.get(Message, parent_id)
    if parent is None or parent.conversation_id != conversation.id:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY, "parent_id is not a message of this conversation"
        )
    if parent.role != Role.assistant:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "A new question must follow an answer")
    return parent.id


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


def _conversation_model(catalog: Catalog, conversation: Conversation) -> ModelSpec:
    try:
        return catalog.get(conversation.model)
    except UnknownModel as unknown:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"This conversation's model is gone: {unknown}"
        ) from None


def check_fits(
    counter: TokenCounter,
    model: ModelSpec,
    conversation: Conversation,
    question: Message,
    settings: Settings,
    system_prompt: str | None = None,
) -> None:
    """The system prompt (the conversation's, unless the answer has its own) and the question
    alone must fit what the answer leaves of the window."""
    system = conversation.system_prompt if system_prompt is None else system_prompt
    needed = required_tokens(counter, system, question)
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


async def _stored_result(session: AsyncSession, conversation_id: str, client_id: str) -> SubmitResult | None:
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
    session: AsyncSession, conversation_id: str, client_id: str | None
) -> SubmitResult:
    """A concurrent request got there first: the same one again, or another one (409)."""
    if client_id and (result := await _stored_result(session, conversation_id, client_id)):
        return result
    if await session.get(Conversation, conversation_id) is None:  # deleted meanwhile
        raise HTTPException(status.HTTP_404_NOT_FOUND, CONVERSATION_NOT_FOUND)
    raise HTTPException(status.HTTP_409_CONFLICT, ANSWER_ACTIVE)
