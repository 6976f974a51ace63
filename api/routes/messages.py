"""Messages: asking a question, reading and pinning a message, stopping an answer."""

from fastapi import APIRouter, HTTPException, Response, status
from sqlmodel import col, select, update

from api.answering import check_content, check_fits, conversation_model, start_answer, stored_result
from api.deps import (
    READ_ONLY_CHECKS,
    CatalogDep,
    ConversationDep,
    LogDep,
    MessageDep,
    RedisDep,
    SessionDep,
    SettingsDep,
)
from api.schemas import MessageCreate, MessageUpdate, SubmitResult
from core.endings import end_from_row
from core.models import FINAL_STATUSES, Conversation, Message, Role, Status, TitleSource, utcnow
from core.schemas import MessageRead
from core.stops import request_stop
from core.titles import fallback_title

router = APIRouter(tags=["messages"])


@router.get("/conversations/{conversation_id}/messages")
async def list_messages(conversation: ConversationDep, session: SessionDep) -> list[MessageRead]:
    """The conversation's messages, oldest first."""
    rows = await session.exec(
        select(Message).where(Message.conversation_id == conversation.id).order_by(col(Message.id))
    )
    return [MessageRead.model_validate(m) for m in rows]


async def _parent_of_next_question(
    session: SessionDep, conversation: Conversation, parent_id: str | None
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


@router.post(
    "/conversations/{conversation_id}/messages",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[READ_ONLY_CHECKS],
)
async def submit_message(
    conversation: ConversationDep,
    body: MessageCreate,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    catalog: CatalogDep,
) -> SubmitResult:
    """Store the question and a queued answer in one transaction, then enqueue the answer's job.

    The question continues the selected branch, or the branch ending at `parent_id`."""
    check_content(body.content, settings.max_message_chars)
    if body.client_id and (result := await stored_result(session, conversation.id, body.client_id)):
        return result
    model = conversation_model(catalog, conversation)
    check_fits(model, conversation, body.content, settings)
    question = Message(
        conversation_id=conversation.id,
        parent_id=await _parent_of_next_question(session, conversation, body.parent_id),
        role=Role.user,
        content=body.content,
    )
    # Named at once from the first question; the worker's title job may replace it later.
    first = question.parent_id is None and conversation.title_source == TitleSource.default
    return await start_answer(
        session,
        redis,
        conversation,
        question,
        model,
        body.client_id,
        new_question=True,
        fallback_title=fallback_title(body.content) if first else None,
    )


@router.get("/messages/{message_id}")
async def read_message(message: MessageDep) -> MessageRead:
    return MessageRead.model_validate(message)


@router.patch("/messages/{message_id}")
async def update_message(message: MessageDep, body: MessageUpdate, session: SessionDep) -> MessageRead:
    """Pin or unpin a message: a pinned one is in every prompt of its branch while it fits."""
    message.pinned = body.pinned
    session.add(message)
    await session.commit()
    return MessageRead.model_validate(message)


@router.post("/messages/{message_id}/stop", status_code=status.HTTP_202_ACCEPTED)
async def stop_message(
    message: MessageDep, session: SessionDep, redis: RedisDep, log: LogDep, response: Response
) -> MessageRead:
    """Stop an answer from any tab or API process; stopping a finished answer changes nothing."""
    if message.role != Role.assistant:
        raise HTTPException(status.HTTP_409_CONFLICT, "Only an answer can be stopped")
    if message.status in FINAL_STATUSES:
        response.status_code = status.HTTP_200_OK
        return MessageRead.model_validate(message)

    # Not started yet: no worker to ask, so stop it here. The row update decides the race with a
    # worker starting it at this very moment.
    stopped_here = await session.exec(
        update(Message)
        .where(col(Message.id) == message.id, col(Message.status) == Status.queued)
        .values(status=Status.stopped, updated_at=utcnow())
    )
    await session.commit()
    if stopped_here.rowcount:
        await session.refresh(message)
        await end_from_row(log, message)
        response.status_code = status.HTTP_200_OK
    else:
        await request_stop(redis, message.id)
    return MessageRead.model_validate(message)
