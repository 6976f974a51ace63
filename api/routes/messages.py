import asyncio
import logging

from fastapi import APIRouter, HTTPException, Response, status
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select, update

from api.deps import CatalogDep, LogDep, RedisDep, SessionDep, SettingsDep
from api.routes.conversations import get_conversation
from api.schemas import MessageCreate, SubmitResult
from core.catalog import ModelSpec, UnknownModel, budgets
from core.jobs import enqueue_answer
from core.models import FINAL_STATUSES, Message, Role, Status, TitleSource, is_active_answer, utcnow
from core.schemas import MessageRead, terminal_event
from core.stops import request_stop
from core.titles import fallback_title
from core.tokens import counter_for, required_tokens

logger = logging.getLogger(__name__)
router = APIRouter(tags=["messages"])

# Past this, a submit answers 202 anyway: the answer is stored, and the sweep enqueues it.
ENQUEUE_TIMEOUT_SECONDS = 2.0
ANSWER_ACTIVE = "An answer is still being generated in this conversation. Wait for it or stop it first."


async def get_message(session: SessionDep, message_id: str) -> Message:
    message = await session.get(Message, message_id)
    if message is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Message not found")
    return message


@router.get("/conversations/{conversation_id}/messages")
async def list_messages(conversation_id: str, session: SessionDep) -> list[MessageRead]:
    """The conversation's messages, oldest first."""
    await get_conversation(session, conversation_id)
    rows = await session.exec(
        select(Message).where(Message.conversation_id == conversation_id).order_by(col(Message.id))
    )
    return [MessageRead.model_validate(m) for m in rows]


async def _existing_pair(session: SessionDep, conversation_id: str, client_id: str) -> SubmitResult | None:
    user = (
        await session.exec(
            select(Message).where(Message.conversation_id == conversation_id, Message.client_id == client_id)
        )
    ).first()
    if user is None:
        return None
    answer = (
        await session.exec(
            select(Message).where(Message.parent_id == user.id, Message.role == Role.assistant)
        )
    ).first()
    assert answer is not None  # both are written in one transaction
    return SubmitResult(
        user_message=MessageRead.model_validate(user), assistant_message=MessageRead.model_validate(answer)
    )


def _check_content(content: str, limit: int) -> None:
    if not content.strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "Message is empty")
    if "\x00" in content:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "Message contains a NUL character")
    if len(content) > limit:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            f"Message is too long: {len(content):,} characters, the limit is {limit:,}",
        )


def _check_fits(model: ModelSpec, system_prompt: str, content: str, max_answer_tokens: int) -> None:
    needed = required_tokens(counter_for(model), system_prompt, content)
    budget, _ = budgets(model, max_answer_tokens)
    if needed > budget:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            f"Message is too long for the model: {needed:,} tokens with the system prompt, "
            f"room for {budget:,}",
        )


async def _repeat_or_conflict(
    session: SessionDep, conversation_id: str, client_id: str | None
) -> SubmitResult:
    """A concurrent submit got there first: the same question again, or another one (409)."""
    if client_id and (pair := await _existing_pair(session, conversation_id, client_id)):
        return pair
    await get_conversation(session, conversation_id)  # deleted meanwhile: 404
    raise HTTPException(status.HTTP_409_CONFLICT, ANSWER_ACTIVE)


@router.post("/conversations/{conversation_id}/messages", status_code=status.HTTP_202_ACCEPTED)
async def submit_message(
    conversation_id: str,
    body: MessageCreate,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    catalog: CatalogDep,
) -> SubmitResult:
    """Store the question and a queued answer in one transaction, then enqueue the answer's job."""
    _check_content(body.content, settings.max_message_chars)
    conversation = await get_conversation(session, conversation_id)
    if body.client_id and (pair := await _existing_pair(session, conversation_id, body.client_id)):
        return pair
    try:
        model = catalog.get(conversation.model)
    except UnknownModel as unknown:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"This conversation's model is gone: {unknown}"
        ) from None
    _check_fits(model, conversation.system_prompt, body.content, settings.max_answer_tokens)

    active = await session.exec(
        select(Message.id).where(Message.conversation_id == conversation_id, is_active_answer())
    )
    if active.first() is not None:
        return await _repeat_or_conflict(session, conversation_id, body.client_id)
    last = await session.exec(
        select(Message.id).where(Message.conversation_id == conversation_id).order_by(col(Message.id).desc())
    )
    question = Message(
        conversation_id=conversation_id,
        parent_id=last.first(),
        role=Role.user,
        content=body.content,
        client_id=body.client_id,
    )
    answer = Message(
        conversation_id=conversation_id,
        parent_id=question.id,
        role=Role.assistant,
        status=Status.queued,
        model=model.id,
    )
    if question.parent_id is None and conversation.title_source == TitleSource.default:
        # Named at once from the first question; the worker's title job may replace it later.
        conversation.title = fallback_title(body.content)
        conversation.title_source = TitleSource.fallback
    conversation.updated_at = utcnow()
    session.add_all([question, answer, conversation])
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return await _repeat_or_conflict(session, conversation_id, body.client_id)

    try:
        await asyncio.wait_for(enqueue_answer(redis, answer.id), ENQUEUE_TIMEOUT_SECONDS)
    except (RedisError, TimeoutError) as error:
        # The answer is stored: the workers' recovery sweep enqueues it once Redis answers again.
        logger.warning("could not enqueue answer %s now (%r); the sweep will", answer.id, error)
    return SubmitResult(
        user_message=MessageRead.model_validate(question),
        assistant_message=MessageRead.model_validate(answer),
    )


@router.get("/messages/{message_id}")
async def read_message(message_id: str, session: SessionDep) -> MessageRead:
    return MessageRead.model_validate(await get_message(session, message_id))


@router.post("/messages/{message_id}/stop", status_code=status.HTTP_202_ACCEPTED)
async def stop_message(
    message_id: str, session: SessionDep, redis: RedisDep, log: LogDep, response: Response
) -> MessageRead:
    """Stop an answer from any tab or API process; stopping a finished answer changes nothing."""
    message = await get_message(session, message_id)
    if message.role != Role.assistant:
        raise HTTPException(status.HTTP_409_CONFLICT, "Only an answer can be stopped")
    if message.status in FINAL_STATUSES:
        response.status_code = status.HTTP_200_OK
        return MessageRead.model_validate(message)

    # Not started yet: no worker to ask, so stop it here. The row update decides the race with a
    # worker starting it at this very moment.
    stopped_here = await session.exec(
        update(Message)
        .where(col(Message.id) == message_id, col(Message.status) == Status.queued)
        .values(status=Status.stopped, updated_at=utcnow())
    )
    await session.commit()
    if stopped_here.rowcount:
        await session.refresh(message)
        await log.append(message_id, message.attempt, terminal_event(message), final=True)
        response.status_code = status.HTTP_200_OK
    else:
        await request_stop(redis, message_id)
    return MessageRead.model_validate(message)
